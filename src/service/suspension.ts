import type { CompleteRun } from "../core/run-record.js";
import { suspendedText, type Suspension, type SuspensionFile } from "../core/suspension.js";

/**
 * Suspending or resuming a task's schedule: the one code path of `svcmgr suspend|resume` (when
 * no daemon runs) and of the daemon's `POST …/tasks/{rid}/suspend|resume` (the CLI asks the
 * daemon when one runs). It replaces the task's state file, then records who did it and when
 * in the history: a `skipped` record with no slot, trigger `manual` (the CLI) or `api` (through
 * the daemon), `initiatedBy` the user or key, reason `suspended by X: REASON` or
 * `resumed by Y: REASON (was suspended by X since T: REASON)`. The same state again changes
 * nothing and records nothing.
 */
export interface SuspensionChange {
  /** True: suspend; false: resume. */
  readonly suspend: boolean;
  /** Who asks: an API key's name, or the CLI's user (SUDO_USER under sudo). */
  readonly by: string;
  readonly reason: string | null;
  readonly trigger: "manual" | "api";
}

export interface SuspensionResult {
  /** False when the task already was in the asked state. */
  readonly changed: boolean;
  /** The task's state now: its suspension, or null when it runs on schedule. */
  readonly suspended: Suspension | null;
}

export interface SuspensionDeps {
  readonly file: SuspensionFile;
  /** Writes a final history record. */
  record(run: CompleteRun): unknown;
  readonly now: number;
  readonly node: string;
}

export async function changeSuspension(d: SuspensionDeps, svc: string, rid: string, change: SuspensionChange): Promise<SuspensionResult> {
  // Read and write with no await between: the daemon's requests cannot interleave here.
  const current = d.file.read(rid);
  if (change.suspend === (current !== null)) return { changed: false, suspended: current };
  const next = change.suspend ? { by: change.by, at: d.now, reason: change.reason } : null;
  d.file.write(rid, next);
  const why = change.reason === null ? "" : `: ${change.reason}`;
  const reason = next !== null ? `suspended by ${change.by}${why}` : `resumed by ${change.by}${why} (was ${suspendedText(current!)})`;
  await d.record({ svc, rid, trigger: change.trigger, scheduledFor: null, startedAt: d.now, endedAt: d.now, status: "skipped", reason, initiatedBy: change.by, node: d.node });
  return { changed: true, suspended: next };
}
