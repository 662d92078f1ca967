import { ActionError, NotFoundError } from "../../core/errors.js";
import type { RunRecord } from "../../core/run-record.js";
import type { App } from "../../service/app.js";
import type { CliCommand } from "../command.js";
import { CALL_TIMEOUT_MS } from "../run-detached.js";
import { openSaying } from "./print-history.js";
import { readRun, runId, runName } from "./runs.js";

/** How long `runs stop` waits for the stopped run to be recorded (the kill grace is 5 s). */
const STOP_WAIT_MS = 15_000;
const POLL_MS = 100;

export const runsStopCommand: CliCommand = {
  words: ["runs", "stop"],
  describe: "Stop a run of the daemon's (a scheduled run, an API run, a one-off): every process of the run gets SIGTERM, then SIGKILL 5 s later; recorded aborted. Waits until it is recorded",
  positionals: [{ name: "id", describe: "Run id (from runs ls or exec)", required: true }],
  examples: [["svcmgr runs stop 42", "stop run 42 and wait until it is recorded aborted"]],
  async run(args, app) {
    const id = runId(args.id);
    if (app.daemon.running() === null) throw new ActionError(`runs stop asks the daemon, and none is running for ${app.paths.var}: a run started by svcmgr run stops with Ctrl-C or a signal to its svcmgr`);
    const answer = await app.daemon.call({ method: "POST", path: `/api/v1/runs/${id}/stop`, timeoutMs: CALL_TIMEOUT_MS });
    if (!answer.ok) throw new ActionError(`the daemon did not answer (${answer.reason})`);
    const detail = (answer.body as { detail?: string }).detail ?? `HTTP ${answer.status}`;
    if (answer.status === 404) throw new NotFoundError(`${detail} (svcmgr runs ls lists them)`);
    if (answer.status !== 202) throw new ActionError(`the daemon did not stop run ${id}: ${detail}`);
    const run = (answer.body as { run: RunRecord }).run;
    app.stderr.write(`svcmgr: ${runName(run)}: stopping\n`);
    const final = await ended(app, id);
    if (final === null) throw new ActionError(`${runName(run)} was asked to stop and is still running after ${STOP_WAIT_MS / 1000} s`);
    app.stdout.write(`${runName(final)} ${final.status}${final.reason === null ? "" : `: ${final.reason}`}\n`);
    return 0;
  },
};

/** The run's record once it is no longer running; null when it still is after STOP_WAIT_MS. */
async function ended(app: App, id: number): Promise<RunRecord | null> {
  const deadline = Date.now() + STOP_WAIT_MS;
  while (Date.now() < deadline) {
    const got = await app.daemon.call({ path: `/api/v1/runs/${id}`, timeoutMs: CALL_TIMEOUT_MS });
    if (got.ok && got.status === 200 && (got.body as RunRecord).status !== "running") return got.body as RunRecord;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return null;
}

export const runsRmCommand: CliCommand = {
  words: ["runs", "rm"],
  describe: "Delete a finished run: its history record and its output file. A running run is refused (stop it first: svcmgr runs stop ID)",
  positionals: [{ name: "id", describe: "Run id (from runs ls)", required: true }],
  examples: [["svcmgr runs rm 42", "forget run 42 and delete its output"]],
  async run(args, app) {
    const record = await readRun(app, args);
    const refuse = () => new ActionError(`${runName(record)} is still running: it is not removed (stop it first: svcmgr runs stop ${record.id})`);
    if (record.status === "running") throw refuse();
    const history = await openSaying(app);
    try {
      const r = await history.remove(record.id);
      if (r === "running") throw refuse();
      if (r === "absent") throw new NotFoundError(`no run ${record.id} in the history (removed meanwhile)`);
    } finally {
      await history.close();
    }
    // The record goes first: an output file without its record is what prune leaves too, never the reverse.
    if (record.logFile !== null) await app.removeFile(record.logFile);
    app.stdout.write(`${runName(record)} removed${record.logFile === null ? "" : `, and its output file ${record.logFile}`}\n`);
    return 0;
  },
};
