import { NotFoundError, UsageError } from "../../core/errors.js";
import { formatObjectPath } from "../../core/object-path.js";
import { RUN_TRIGGERS, type RunRecord, type RunTrigger } from "../../core/run-record.js";
import type { App } from "../../service/app.js";
import { selectServices } from "../../service/open.js";
import { FORMAT_OPTION, type CliCommand, type ParsedArgs } from "../command.js";
import { historyTable, openSaying, parseStatuses } from "./print-history.js";
import { renderRun } from "./print-run.js";

/**
 * `svcmgr runs ls|show|stop|rm`: the runs of every service (tasks' runs and one-offs alike),
 * by run id, without naming the service. `ls` and `show` read the history as `print history`
 * and `print run` do; `stop` asks the daemon, `rm` deletes a finished record (runs-manage.ts).
 */
export const runsLsCommand: CliCommand = {
  words: ["runs", "ls"],
  describe: "List recorded runs of every service (or of -s SERVICE), newest first: tasks' runs and one-offs (exec)",
  options: {
    status: { type: "string", describe: "Only these statuses (comma list): running, succeeded, failed, timed_out, skipped, missed, aborted, interrupted", requiresArg: true },
    trigger: { type: "string", describe: `Only runs of this trigger: ${RUN_TRIGGERS.join(", ")} (oneoff: the exec runs)`, choices: RUN_TRIGGERS, requiresArg: true },
    limit: { type: "number", describe: "At most this many records", default: 50, range: [1, Number.MAX_SAFE_INTEGER] },
    format: { ...FORMAT_OPTION, describe: "Output format: json prints the records as print history --format json does" },
  },
  examples: [
    ["svcmgr runs ls --status running", "what runs now, on every service"],
    ["svcmgr runs ls -s db --trigger oneoff --limit 10", "the last ten one-offs of db"],
  ],
  async run(args, app) {
    const status = parseStatuses(args.status);
    const limit = Number(args.limit);
    const trigger = args.trigger as RunTrigger | undefined;
    const services = typeof args.service === "string" && args.service !== "" ? selectServices(app, args.service).map(formatObjectPath) : [undefined];
    const history = await openSaying(app);
    let records: RunRecord[] = [];
    try {
      for (const svc of services) records.push(...(await history.query({ ...(svc === undefined ? {} : { svc }), status, trigger, limit })));
    } finally {
      await history.close();
    }
    records = records.sort((a, b) => b.startedAt - a.startedAt || b.id - a.id).slice(0, limit);
    if (args.format === "json") app.stdout.write(JSON.stringify(records, null, 2) + "\n");
    else app.stdout.write(records.length === 0 ? "no recorded run matches\n" : historyTable(records, app.timezone));
    return 0;
  },
};

export const runsShowCommand: CliCommand = {
  words: ["runs", "show"],
  describe: "Show one run's record: status, exit code, reason, who, the limits' measures, the head and tail of its output and the file holding all of it",
  positionals: [{ name: "id", describe: "Run id (from runs ls, exec, print history)", required: true }],
  options: { format: { ...FORMAT_OPTION, describe: "Output format: json prints the record (its output file in logFile)" } },
  examples: [["svcmgr runs show 42", "one run; its full output: less $(svcmgr runs show 42 --format json | jq -r .logFile)"]],
  async run(args, app) {
    const record = await readRun(app, args);
    app.stdout.write(args.format === "json" ? JSON.stringify(record, null, 2) + "\n" : renderRun(record, undefined));
    return 0;
  },
};

/** The run `args.id` from the history (with -s, only one of those services'); exit 2 when there is none. */
export async function readRun(app: App, args: ParsedArgs): Promise<RunRecord> {
  const id = runId(args.id);
  const history = await openSaying(app);
  let record: RunRecord | null;
  try {
    record = await history.get(id);
  } finally {
    await history.close();
  }
  const services = typeof args.service === "string" && args.service !== "" ? selectServices(app, args.service).map(formatObjectPath) : null;
  if (record === null || (services !== null && !services.includes(record.svc))) throw new NotFoundError(`no run ${id} in the history${services === null ? "" : ` of ${services.join(", ")}`} (svcmgr runs ls lists them)`);
  return record;
}

export function runId(v: unknown): number {
  const id = Number(v);
  if (!Number.isInteger(id) || id <= 0 || !/^\d+$/.test(String(v))) throw new UsageError(`run id must be a positive integer, got "${String(v)}"`);
  return id;
}

export function runName(r: RunRecord): string {
  return `run ${r.id} (${r.svc} ${r.rid})`;
}
