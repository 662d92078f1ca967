import type { App } from "../service/app.js";
import type { HistoryStore } from "../core/history-store.js";
import type { CompleteRun } from "../core/run-record.js";
import type { RunRecorder, RunReporter } from "../core/run-ports.js";
import { createTurnRecorder } from "../history/turn-recorder.js";
import type { LaunchRequest } from "../scheduler/ports.js";
import { runTask } from "../run/pipeline.js";
import type { TaskRun } from "../run/task-run.js";
import type { RunContext } from "../run/context.js";
import type { ServiceLogs } from "./ports.js";
import type { ServiceRegistry } from "./service-registry.js";
import type { RunControls } from "./run-controls.js";
import type { TaskMetrics } from "../api/metrics/task-metrics.js";
import { observedRecorder } from "./metrics-feed.js";
import type { ClusterGate } from "./cluster-gate.js";

/**
 * The scheduler's launch port: a due slot goes through the same run pipeline as a manual
 * `run --cron`, in-process. The pipeline records the run (or the skip) itself and hands back
 * its record. Never rejects: a failure to even start is a TaskRun without a record.
 */
export interface SlotRunnerOptions {
  /** The user the daemon runs as: who initiated its runs. */
  readonly daemonUser: string;
  /** Aborting stops the running tasks (the grace period is over). */
  readonly signal: AbortSignal;
  /** The history could not be written (writes are held and retried). */
  readonly warn: (text: string) => void;
  /** A launched slot's run record was begun: the run really starts. */
  readonly began?: (slot: LaunchRequest) => void;
  readonly info?: (text: string) => void;
  /** Each run's own stop (`POST /api/v1/runs/{id}/stop`). */
  readonly controls: RunControls;
  /** Told of every run begun and ended, and every record written final (scheduled and API runs alike). */
  readonly metrics?: TaskMetrics;
  /** In a cluster: whether a slot runs here (claimed in etcd), and on_ownership_loss for its run. */
  readonly cluster?: Pick<ClusterGate, "admit" | "track">;
  /** Records a due slot not run, status skipped (the cluster could not be asked). */
  readonly recordSkipped: (slot: LaunchRequest, reason: string) => void;
}

export function createSlotRunner(app: App, registry: ServiceRegistry, history: HistoryStore, logs: ServiceLogs, opts: SlotRunnerOptions) {
  const turns = createTurnRecorder(
    history,
    (err, ids) => opts.warn(`cannot write the history: ${err.message}${ids.length > 0 ? `; held: the pid or outcome of run(s) ${ids.join(", ")}` : ""}`),
    { onRecovered: (n) => opts.info?.(`the history can be written again: ${n} held record write(s) committed`) },
  );
  const recorder = opts.metrics === undefined ? turns : observedRecorder(turns, opts.metrics);
  const launch = async (slot: LaunchRequest): Promise<TaskRun> => {
    const loaded = registry.get(slot.svc);
    const task = loaded?.tasks.get(slot.rid);
    if (loaded === undefined || task === undefined) return { rid: slot.rid, status: "not-run", reason: `${slot.svc} ${slot.rid} is no longer configured`, failed: true };
    let runId: number | null = null;
    let untrack = () => {};
    try {
      const verdict = opts.cluster === undefined ? null : await opts.cluster.admit(slot, loaded.config, task);
      if (verdict?.kind === "quiet") return { rid: slot.rid, status: "not-run", reason: verdict.reason, failed: false, gate: "cluster" };
      if (verdict?.kind === "skip") {
        opts.recordSkipped(slot, verdict.reason);
        return { rid: slot.rid, status: "skipped", reason: verdict.reason, failed: false, gate: "cluster" };
      }
      const fencingToken = verdict?.kind === "run" && verdict.token !== null ? verdict.token : undefined;
      const session = app.services.newSession();
      const scheduledFor = slot.scheduledFor.getTime();
      const attempt = slot.retry?.attempt ?? (slot.repeat === true ? await history.nextAttempt(slot.svc, slot.rid, scheduledFor) : 1);
      const stop = opts.controls.controller(opts.signal);
      if (fencingToken !== undefined) untrack = opts.cluster!.track(slot.svc, task, stop);
      const ctx: RunContext = {
        trigger: "schedule", cron: true, confirm: false, dryRun: false, session, scheduledFor, fencingToken,
        attempt, retryOf: slot.retry?.retryOf ?? undefined, extraEnv: {}, initiatedBy: opts.daemonUser, signal: stop.signal,
      };
      const log = logs.forSession(loaded.config, session);
      const reporter: RunReporter = {
        message: (level, rid, text) => log.write(level, rid, text),
        output: (rid, stream, line, toLog) => toLog && log.write(stream === "stdout" ? "info" : "error", rid, `| ${line}`),
        lostLogLines: () => log.lost(),
      };
      const slotRecorder: RunRecorder = {
        ...recorder,
        begin: async (run, logFileFor) => {
          const id = await recorder.begin(run, logFileFor);
          if (id !== null) opts.controls.register((runId = id), stop);
          opts.began?.(slot);
          return id;
        },
      };
      try {
        return await runTask(task, ctx, app.services.runPorts(loaded.config, slotRecorder, reporter));
      } finally {
        if (runId !== null) opts.controls.release(runId);
      }
    } catch (e) {
      return { rid: slot.rid, status: "not-run", reason: (e as Error).message, failed: true };
    } finally {
      untrack();
    }
  };
  return {
    launch,
    /** The daemon's one recorder, shared with runs asked for through the API. */
    recorder: recorder as RunRecorder,
    /** Records a decision with no run (a missed slot); held and retried like the others when the history cannot be written. */
    record: (run: CompleteRun) => void recorder.record(run),
    /** Commits the run records' pending updates. */
    flush: () => turns.flush(),
  };
}
