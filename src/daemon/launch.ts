import { newSessionId } from "../platform/session-id.js";
import type { App } from "../core/app.js";
import type { HistoryStore } from "../platform/sqlite/store.js";
import { createTurnRecorder } from "../history/turn-recorder.js";
import type { LaunchOutcome, LaunchRequest, SkipReason } from "../scheduler/ports.js";
import { runTask, type Gate, type TaskOutcome } from "../run/pipeline.js";
import type { RunContext } from "../run/context.js";
import type { RunRecorder, RunReporter } from "../core/run-ports.js";
import type { CompleteRun } from "../core/run-record.js";
import { serviceRunDeps, type ServiceRunDeps } from "../service/wiring.js";
import { objectLogFile } from "../core/paths.js";
import type { ServiceConfig } from "../config/service.js";
import type { RotatingFile } from "../platform/rotating-file.js";
import { openServiceLogFile, sessionLog } from "../platform/service-log.js";
import { createBackgroundStateFiles } from "../platform/background-state-files.js";
import type { ServiceRegistry } from "./service-registry.js";
import { nodeConfig } from "../service/node-config.js";

/**
 * The scheduler's launch port: a due slot goes through the same run pipeline as a manual
 * `run --cron`, in-process. The pipeline records the run (or the skip) itself; this maps its
 * outcome for the daemon log. Never rejects: a failure to even start is an outcome.
 */
export interface LauncherHooks {
  /** A launched slot's run record was begun: the run really starts. */
  readonly began?: (slot: LaunchRequest) => void;
  readonly info?: (text: string) => void;
}

export function createLauncher(app: App, registry: ServiceRegistry, history: HistoryStore, daemonUser: string, signal: AbortSignal, warn: (text: string) => void, hooks: LauncherHooks = {}) {
  // Service log files stay open across runs: one open file per service, not one per run.
  const logFiles = new Map<string, RotatingFile>();
  const rotation = nodeConfig(app).log;
  const stateFiles = createBackgroundStateFiles((path, err) => warn(`cannot write ${path}: ${err.message}`));
  const recorder = createTurnRecorder(
    history,
    (err, ids) => warn(`cannot write the history: ${err.message}${ids.length > 0 ? `; held: the pid or outcome of run(s) ${ids.join(", ")}` : ""}`),
    { onRecovered: (n) => hooks.info?.(`the history can be written again: ${n} held record write(s) committed`) },
  );
  // A service's run ports are built once per loaded config (a reload brings a new config object).
  const runDeps = new WeakMap<ServiceConfig, ServiceRunDeps>();
  const runDepsOf = (config: ServiceConfig) => {
    let deps = runDeps.get(config);
    if (deps === undefined) runDeps.set(config, (deps = serviceRunDeps(app, config, recorder, stateFiles.write)));
    return deps;
  };
  const logFile = (config: ServiceConfig) => {
    let f = logFiles.get(config.name);
    if (f === undefined) logFiles.set(config.name, (f = openServiceLogFile(objectLogFile(app.paths, config.path), { now: () => app.clock.now(), maxBytes: rotation.maxSize, backups: rotation.keep })));
    return f;
  };
  const launch = async (slot: LaunchRequest): Promise<LaunchOutcome> => {
    const loaded = registry.get(slot.svc);
    const task = loaded?.tasks.get(slot.rid);
    if (loaded === undefined || task === undefined) return { kind: "failed", detail: `${slot.svc} ${slot.rid} is no longer configured` };
    const session = newSessionId();
    const scheduledFor = slot.scheduledFor.getTime();
    const attempt = slot.retry?.attempt ?? (slot.repeat === true ? history.nextAttempt(slot.svc, slot.rid, scheduledFor) : 1);
    const ctx: RunContext = {
      trigger: "schedule", cron: true, confirm: false, dryRun: false, session, scheduledFor,
      attempt, retryOf: slot.retry?.retryOf ?? undefined, extraEnv: {}, initiatedBy: daemonUser, signal,
    };
    const log = sessionLog(logFile(loaded.config), { session, now: () => app.clock.now() });
    try {
      const reporter: RunReporter = {
        message: (level, rid, text) => log.write(level, rid, text),
        output: (rid, stream, line, toLog) => toLog && log.write(stream === "stdout" ? "info" : "error", rid, `| ${line}`),
        lostLogLines: () => log.lost(),
      };
      const deps = runDepsOf(loaded.config);
      const began = () => hooks.began?.(slot);
      const slotRecorder: RunRecorder = {
        ...deps.recorder,
        begin: async (run, logFileFor) => {
          const id = await recorder.begin(run, logFileFor);
          began();
          return id;
        },
      };
      const outcome = toLaunchOutcome(await runTask(task, ctx, { ...deps, recorder: slotRecorder, reporter }));
      return outcome.kind === "finished" ? { ...outcome, attempt } : outcome;
    } catch (e) {
      return { kind: "failed", detail: (e as Error).message };
    }
  };
  return {
    launch,
    /** Records a decision with no run (a missed slot); held and retried like the others when the history cannot be written. */
    record: (run: CompleteRun) => void recorder.record(run),
    /** Commits the run records' pending updates and waits for the state files (last_run) still being written. */
    flush: async () => {
      recorder.flush();
      await stateFiles.flush();
    },
    close: () => {
      for (const f of logFiles.values()) f.close();
      logFiles.clear();
    },
  };
}

const SKIP_REASON: Readonly<Partial<Record<Gate, SkipReason>>> = {
  "max-parallel": "max-parallel",
  requires: "requires",
  disabled: "disabled",
  confirmation: "unconfirmed",
  "duplicate-slot": "too-soon",
};

function toLaunchOutcome(o: TaskOutcome): LaunchOutcome {
  const skip = o.gate === undefined ? undefined : SKIP_REASON[o.gate];
  if (skip !== undefined) return { kind: "skipped", reason: skip, detail: o.reason ?? "" };
  if (o.gate === "record") return { kind: "not-run", detail: o.reason ?? "" };
  if (o.gate !== undefined) return { kind: "failed", detail: o.reason ?? o.gate };
  const status = o.status === "succeeded" ? "up" : o.status === "failed" || o.status === "timed_out" ? "down" : "n/a";
  return { kind: "finished", status, exitCode: o.exitCode, runId: o.recordId === undefined ? undefined : String(o.recordId), timedOut: o.status === "timed_out", runStatus: o.status };
}
