import type { App } from "../service/app.js";
import type { RunRecorder, RunReporter } from "../core/run-ports.js";
import { parallelSubsets } from "../task/model.js";
import { selectTasks, NO_MATCH_MESSAGE } from "../task/select.js";
import { runTasks } from "../run/run-tasks.js";
import type { RunContext } from "../run/context.js";
import type { TaskDef } from "../task/model.js";
import type { ServiceConfig } from "../config/service.js";
import type { RunTrigger } from "../core/run-record.js";
import { formatObjectPath } from "../core/object-path.js";
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
  const loaded = loadedService(deps, svc);
  const selected = selectTasks([...loaded.tasks.values()], { rid: request.rid, tags: request.tags, subsets: request.subsets });
  if (selected.length === 0) throw new ApiProblem(404, `${svc}: ${NO_MATCH_MESSAGE.replace("--rid, --subset and --tags", "rid, subsets and tags")}`);
  const unconfirmed = selected.filter((t) => t.confirmation && !request.confirm.includes(t.rid)).map((t) => t.rid);
  if (unconfirmed.length > 0) {
    throw new ApiProblem(409, `confirmation required: ${unconfirmed.join(", ")} ask${unconfirmed.length === 1 ? "s" : ""} for confirmation; send "confirm": ${JSON.stringify(unconfirmed.length === 1 ? unconfirmed[0] : unconfirmed)} (the rid, typed) to run ${unconfirmed.length === 1 ? "it" : "them"}; nothing was run`, { field: "confirm", unconfirmed });
  }
  const launch = { tasks: selected, parallel: parallelSubsets(loaded.config, "task"), trigger: "api" as const, env: request.env ?? {}, initiatedBy: forcedInitiator(by.name, request.ownership?.forcedNote ?? null), fencingToken: request.ownership?.token ?? null };
  return launchRuns(deps, loaded.config, launch, by, (session) => `do run ${selected.map((t) => t.rid).join(",")} for ${by.name} through the API (session ${session})`);
}

/** The service as the daemon loaded it; 404 when it has no valid one of that name. */
export function loadedService(deps: Pick<ApiRunDeps, "registry">, svc: string): NonNullable<ReturnType<ServiceRegistry["get"]>> {
  const loaded = deps.registry.get(svc);
  if (loaded === undefined) throw new ApiProblem(404, `no valid service ${svc} on this node (svcmgr validate config -s ${svc} says why if its file exists)`);
  return loaded;
}

/** What to hand to the pipeline: the tasks, in order, and how they run. */
export interface Launch {
  readonly tasks: readonly TaskDef[];
  readonly parallel: ReadonlySet<string>;
  readonly trigger: RunTrigger;
  readonly env: Readonly<Record<string, string>>;
  /** The records' `initiatedBy`: the principal's name (with a cluster's forced-run note). */
  readonly initiatedBy: string;
  /** In a cluster, on the owner of a failover service: its fencing token (SVCMGR_FENCING_TOKEN). */
  readonly fencingToken?: number | null;
}

/**
 * Hands tasks to the pipeline as the daemon's runs (the API's runs, one-offs): each run is
 * registered for a stop under its record id, tracked by the daemon's shutdown, and its
 * outcome flushed to the history. `says` is the service log's line for the request.
 */
export function launchRuns(deps: ApiRunDeps, config: ServiceConfig, launch: Launch, by: Principal, says: (session: string) => string): StartedRuns {
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
    trigger: launch.trigger, cron: false, confirm: true, dryRun: false, session, extraEnv: launch.env, initiatedBy: launch.initiatedBy, signal: stop.signal,
    ...(launch.fencingToken == null ? {} : { fencingToken: launch.fencingToken }),
  };
  const log = deps.logs.forSession(config, session);
  const reporter: RunReporter = {
    message: (level, rid, text) => log.write(level, rid, text),
    output: (rid, stream, line, toLog) => toLog && log.write(stream === "stdout" ? "info" : "error", rid, `| ${line}`),
    lostLogLines: () => log.lost(),
  };
  log.write("info", null, says(session));
  const done = runTasks(launch.tasks, launch.parallel, ctx, deps.app.services.runPorts(config, recorder, reporter))
    .then(() => undefined, () => undefined)
    .then(() => deps.flush())
    .then(() => ids.forEach((id) => deps.controls.release(id)))
    .finally(markStarted);
  let finished = false;
  void done.then(() => (finished = true));
  deps.track(done);
  return { session, svc: formatObjectPath(config.path), selected: launch.tasks.map((t) => t.rid), ids: () => ids, isDone: () => finished, started, done };
}
