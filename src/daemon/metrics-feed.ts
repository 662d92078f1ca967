import type { RunRecorder } from "../core/run-ports.js";
import type { NewRun, RunRecord } from "../core/run-record.js";
import { FAILED_STATUSES, type HistoryStore } from "../core/history-store.js";
import type { DaemonEvent } from "../scheduler/events.js";
import type { TaskMetrics } from "../api/metrics/task-metrics.js";

/**
 * What feeds the daemon's metrics: its one run recorder (every run it begins and ends,
 * scheduled or through the API, and every record it writes final), its scheduler's events
 * (missed slots, clock jumps), and the runs it finds interrupted at start.
 */

/** The recorder, each write also told to the metrics once it is accepted. Missed records are counted from the scheduler's events. */
export function observedRecorder(recorder: RunRecorder, metrics: TaskMetrics): RunRecorder {
  const running = new Map<number, NewRun>();
  return {
    begin: async (run, logFileFor) => {
      const id = await recorder.begin(run, logFileFor);
      if (id !== null) {
        running.set(id, run);
        metrics.began(run);
      }
      return id;
    },
    setPid: (id, pid, pidStartTime) => recorder.setPid(id, pid, pidStartTime),
    finish: (id, outcome) => {
      const run = running.get(id);
      running.delete(id);
      if (run !== undefined) metrics.ended({ ...run, status: outcome.status, endedAt: outcome.endedAt }, true);
      return recorder.finish(id, outcome);
    },
    record: (run) => {
      if (run.status !== "missed") metrics.ended(run, false);
      return recorder.record(run);
    },
  };
}

export function observeEvent(metrics: TaskMetrics, e: DaemonEvent): void {
  if (e.kind === "missed") metrics.missed(e.svc, e.rid, e.count);
  else if (e.kind === "clock-jump") metrics.clockJump(e.jump.kind);
}

/** Runs of a previous daemon found interrupted (or settled once their orphaned process exited). */
export function observeInterrupted(metrics: TaskMetrics, recs: readonly RunRecord[], now: number): void {
  for (const r of recs) metrics.ended({ svc: r.svc, rid: r.rid, trigger: r.trigger, status: "interrupted", startedAt: r.startedAt, endedAt: r.endedAt ?? now }, false);
}

/**
 * The last success and failure of each task, read from the history in the background, one
 * task per event-loop turn so the scheduler is never held up; a read that fails leaves the
 * task's gauges to its next runs.
 */
export async function seedLastOutcomes(history: HistoryStore, metrics: TaskMetrics, tasks: readonly { svc: string; rid: string }[]): Promise<void> {
  for (const { svc, rid } of tasks) {
    await new Promise((resolve) => setImmediate(resolve));
    try {
      const [ok, bad] = await Promise.all([
        history.query({ svc, rid, status: "succeeded", limit: 1 }),
        history.query({ svc, rid, status: FAILED_STATUSES, limit: 1 }),
      ]);
      metrics.lastOutcomes(svc, rid, ok[0]?.endedAt ?? null, bad[0]?.endedAt ?? null);
    } catch {
      // the history answers again later; the gauges follow the next runs meanwhile
    }
  }
}
