/** TaskRuns as the run pipeline hands them to the scheduler, for tests with a fake launch. */
import { runRecord, type FinalStatus } from "../../src/core/run-record.js";
import type { TaskRun } from "../../src/run/task-run.js";
import type { LaunchRequest } from "../../src/scheduler/ports.js";

/** A recorded run of the slot, ended with `status` (exit 0 when succeeded, 1 when failed). */
export function ranRun(req: Pick<LaunchRequest, "svc" | "rid" | "scheduledFor" | "retry">, status: FinalStatus = "succeeded", id = 1): TaskRun {
  const at = req.scheduledFor.getTime();
  const exitCode = status === "succeeded" ? 0 : status === "failed" ? 1 : null;
  const record = runRecord(id, { svc: req.svc, rid: req.rid, trigger: "schedule", scheduledFor: at, attempt: req.retry?.attempt ?? 1, retryOf: req.retry?.retryOf ?? null, startedAt: at }, { status, endedAt: at + 1000, exitCode });
  return { rid: req.rid, status, failed: status !== "succeeded", record };
}

/** A slot the pipeline refused (recorded skipped) at stage `gate`. */
export function skippedRun(req: Pick<LaunchRequest, "svc" | "rid" | "scheduledFor">, gate: TaskRun["gate"], reason: string): TaskRun {
  const at = req.scheduledFor.getTime();
  const record = runRecord(1, { svc: req.svc, rid: req.rid, trigger: "schedule", scheduledFor: at, startedAt: at }, { status: "skipped", endedAt: at, reason });
  return { rid: req.rid, status: "skipped", gate, reason, failed: false, record };
}
