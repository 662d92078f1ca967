import type { App } from "../../service/app.js";
import { ActionError, UsageError } from "../../core/errors.js";
import { formatObjectPath } from "../../core/object-path.js";
import type { RunRecord } from "../../core/run-record.js";
import { oneoffLimits } from "../../run/oneoff.js";
import { requireSelector, selectServices } from "../../service/open.js";
import { FORMAT_OPTION, type CliCommand, type ParsedArgs } from "../command.js";
import { CALL_TIMEOUT_MS, follow, type RunsAnswer } from "../run-detached.js";

export const execCommand: CliCommand = {
  words: ["exec"],
  describe: "Run a command once (svcmgr -s SERVICE exec [options] -- COMMAND [ARG…]), by the daemon, as the service's host tasks run (their user, group, cwd, umask, environment): recorded with trigger oneoff and rid exec; prints the run id, or with --wait streams the output and exits with the command's code",
  needsService: true,
  afterDoubleDash: true,
  options: {
    wait: { type: "boolean", describe: "Stream the command's output as the daemon writes it and exit with its exit code (1 when it failed without one); Ctrl-C stops following, not the command (svcmgr runs stop ID stops it)" },
    memory: { type: "string", describe: "Memory limit of the run (512m, 2g): past it the OOM killer ends the command and the run is recorded failed naming the limit. Default: node.conf [limits] limit_memory", requiresArg: true },
    cpus: { type: "string", describe: "CPU limit in CPUs (0.5 is half of one CPU's time). Default: node.conf [limits] limit_cpus", requiresArg: true },
    "max-time": { type: "string", describe: "Longest the command may run (90s, 30m, 2h): then its whole cgroup is killed and the run recorded timed out. Default: no limit", requiresArg: true },
    user: { type: "string", describe: "Run as this user instead of the tasks' user (needs root, or an admin key through the API)", requiresArg: true },
    force: { type: "boolean", describe: "In a cluster: run it on this node even though this node does not own the (failover) service, or its owner cannot be confirmed; recorded as forced" },
    task: { type: "string", describe: "Take the context (user, group, cwd, umask, environment) of this task; needed when the service's tasks differ in one of them", requiresArg: true },
    format: { ...FORMAT_OPTION, describe: "Output format: json prints the run's record on stdout (with --wait, once it ended, the output going to stderr)" },
  },
  examples: [
    ["svcmgr -s db exec -- pg_dump -f /backup/adhoc.sql app", "run a command as the service's tasks do; prints the run id"],
    ["svcmgr -s db exec --wait --memory 512m --max-time 30m -- ./migrate.sh", "follow it here with limits; the exit code is the command's"],
    ["svcmgr runs show $(svcmgr -s db exec -- vacuumdb app)", "start one, then look at its record"],
    ["svcmgr -s db print history --rid exec", "the service's one-off runs"],
  ],
  async run(args, app) {
    const argv = commandArgs(args);
    const services = selectServices(app, requireSelector(args.service));
    if (services.length !== 1) throw new UsageError(`exec runs in one service; -s ${String(args.service)} selects ${services.length}: ${services.map(formatObjectPath).join(", ") || "none"}`);
    const limits = { memory: optionText(args.memory), cpus: optionText(args.cpus), maxTime: optionText(args["max-time"]) };
    const checked = oneoffLimits(limits);
    if ("error" in checked) throw new UsageError(`--${checked.error}`);
    if (app.daemon.running() === null) throw new ActionError(`exec hands the command to the daemon, and none is running for ${app.paths.var}: start one (svcmgr daemon start)`);
    const svc = formatObjectPath(services[0]!);
    const answer = await start(app, svc, { command: argv, user: optionText(args.user), task: optionText(args.task), ...limits, ...(args.force === true ? { force: true } : {}) });
    const run = answer.runs[0];
    if (run === undefined) throw new ActionError(`${svc}: the daemon recorded no run for the command`);
    const json = args.format === "json";
    if (args.wait !== true) {
      app.stdout.write(json ? JSON.stringify(run, null, 2) + "\n" : `${run.id}\n`);
      return 0;
    }
    const exit = await follow(app, svc, answer, json);
    if (json) app.stdout.write(JSON.stringify(await finalRecord(app, run), null, 2) + "\n");
    return exit;
  },
};

/** The command after `--` (or the words after `exec` when there is no option to confuse). */
function commandArgs(args: ParsedArgs): string[] {
  const words = (args._ ?? []).map(String);
  const rest = [...(Array.isArray(args["--"]) ? (args["--"] as unknown[]).map(String) : []), ...words.slice(words.indexOf("exec") + 1)];
  if (rest.length === 0) throw new UsageError("exec needs a command: svcmgr -s SERVICE exec [options] -- COMMAND [ARG…]");
  return rest;
}

function optionText(v: unknown): string | undefined {
  if (Array.isArray(v)) throw new UsageError(`an option of exec was given twice (${v.join(", ")})`);
  return v === undefined ? undefined : String(v);
}

async function start(app: App, svc: string, body: Record<string, unknown>): Promise<RunsAnswer> {
  const answer = await app.daemon.call({ method: "POST", path: `/api/v1/services/${encodeURIComponent(svc)}/exec`, body, timeoutMs: CALL_TIMEOUT_MS });
  if (!answer.ok) throw new ActionError(`the daemon did not take the command (${answer.reason})`);
  if (answer.status >= 400) {
    const detail = (answer.body as { detail?: string }).detail ?? `HTTP ${answer.status}`;
    throw answer.status === 400 ? new UsageError(`${svc}: ${detail}`) : new ActionError(`${svc}: the daemon refused the command: ${detail}`);
  }
  return answer.body as RunsAnswer;
}

async function finalRecord(app: App, run: RunRecord): Promise<RunRecord> {
  const final = await app.daemon.call({ path: `/api/v1/runs/${run.id}`, timeoutMs: CALL_TIMEOUT_MS });
  return final.ok && final.status === 200 ? (final.body as RunRecord) : run;
}
