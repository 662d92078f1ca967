import type { App } from "../service/app.js";
import type { RunRecorder, RunReporter } from "../core/run-ports.js";
import { parallelSubsets } from "../task/model.js";
import { selectTasks, NO_MATCH_MESSAGE } from "../task/select.js";
import { runTasks } from "../run/run-tasks.js";
import type { RunContext } from "../run/context.js";
import type { RunRequest, StartedRuns } from "../api/backend.js";
import type { Principal } from "../api/principal.js";
import { ApiProblem } from "../api/problem.js";
import { forcedInitiator } from "../cluster/manual-run.js";
import type { ServiceLogs } from "./ports.js";
import type { ServiceRegistry } from "./service-registry.js";
import type { RunControls } from "./run-controls.js";

/**
 * Runs asked for through the API (and `run --detach`): the same selection, gates and pipeline
 * as `svcmgr run`, trigger `api`, `initiatedBy` the key's name. Every refusal (unknown
 * service, nothing selected, a confirmation task not confirmed by its rid) is thrown before
 * any task starts. The runs belong to the daemon: a client that goes away does not stop them.
 */
export interface ApiRunDeps {
  readonly app: App;
  readonly registry: ServiceRegistry;
  readonly recorder: RunRecorder;
  readonly logs: ServiceLogs;
  /** Aborted when the daemon's grace period is over. */
  readonly signal: AbortSignal;
  /** Keeps the daemon's shutdown waiting for the run. */
  readonly track: (done: Promise<unknown>) => void;
  /** Commits the recorder's queued writes (a run's outcome is queued, not awaited). */
  readonly flush: () => Promise<void>;
  /** Each run's own stop. */
  readonly controls: RunControls;
}

export function startApiRuns(deps: ApiRunDeps, svc: string, request: RunRequest, by: Principal): StartedRuns {
  const loaded = deps.registry.get(svc);
  if (loaded === undefined) throw new ApiProblem(404, `no valid service ${svc} on this node (svcmgr validate config -s ${svc} says why if its file exists)`);
  const selected = selectTasks([...loaded.tasks.values()], { rid: request.rid, tags: request.tags, subsets: request.subsets });
  if (selected.length === 0) throw new ApiProblem(404, `${svc}: ${NO_MATCH_MESSAGE.replace("--rid, --subset and --tags", "rid, subsets and tags")}`);
  const unconfirmed = selected.filter((t) => t.confirmation && !request.confirm.includes(t.rid)).map((t) => t.rid);
  if (unconfirmed.length > 0) {
    throw new ApiProblem(409, `confirmation required: ${unconfirmed.join(", ")} ask${unconfirmed.length === 1 ? "s" : ""} for confirmation; send "confirm": ${JSON.stringify(unconfirmed.length === 1 ? unconfirmed[0] : unconfirmed)} (the rid, typed) to run ${unconfirmed.length === 1 ? "it" : "them"}; nothing was run`, { field: "confirm", unconfirmed });
  }
  const ids: number[] = [];
  const stop = deps.controls.controller(deps.signal);
  let markStarted: () => void = () => {};
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const note = (id: number | null) => {
    if (id !== null) ids.push(id);
    markStarted();
    return id;
  };
  const recorder: RunRecorder = {
    ...deps.recorder,
    begin: async (run, logFileFor) => {
      const id = note(await deps.recorder.begin(run, logFileFor));
      if (id !== null) deps.controls.register(id, stop);
      return id;
    },
    record: async (run) => note(await deps.recorder.record(run)),
  };
  const session = deps.app.services.newSession();
  const ctx: RunContext = {
    trigger: "api", cron: false, confirm: true, dryRun: false, session, extraEnv: request.env ?? {}, initiatedBy: forcedInitiator(by.name, request.forcedNote ?? null), signal: stop.signal,
  };
  const log = deps.logs.forSession(loaded.config, session);
  const reporter: RunReporter = {
    message: (level, rid, text) => log.write(level, rid, text),
    output: (rid, stream, line, toLog) => toLog && log.write(stream === "stdout" ? "info" : "error", rid, `| ${line}`),
    lostLogLines: () => log.lost(),
  };
  log.write("info", null, `do run ${selected.map((t) => t.rid).join(",")} for ${by.name} through the API (session ${session})`);
  const done = runTasks(selected, parallelSubsets(loaded.config, "task"), ctx, deps.app.services.runPorts(loaded.config, recorder, reporter))
    .then(() => undefined, () => undefined)
    .then(() => deps.flush())
    .then(() => ids.forEach((id) => deps.controls.release(id)))
    .finally(markStarted);
  let finished = false;
  void done.then(() => (finished = true));
  deps.track(done);
  return { session, svc, selected: selected.map((t) => t.rid), ids: () => ids, isDone: () => finished, started, done };
}
