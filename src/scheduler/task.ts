/**
 * What the daemon schedules: one entry per task of every loaded service, built by the
 * config layer. The daemon never reads configuration itself.
 */
import type { Schedule } from "../schedule/types.js";
import type { Suspension } from "../core/suspension.js";
import type { TaskNotScheduledReason } from "../task/not-scheduled.js";
import type { RetryPolicy } from "./retries.js";

/**
 * What to do with slots missed while the daemon was down or the clock jumped forward.
 * - `latest`: run the most recent missed slot once (OpenSVC's one run, systemd `Persistent=`).
 * - `none`: run nothing; every missed slot is recorded as missed.
 * - `all`: run the missed slots one after another, oldest first, up to CATCHUP_ALL_MAX_RUNS.
 * @default "latest"
 */
export type CatchupPolicy = "latest" | "none" | "all";

export const CATCHUP_POLICIES: readonly CatchupPolicy[] = ["latest", "none", "all"];

/** Why a configured task gets no timer. */
export type NotScheduledReason =
  | TaskNotScheduledReason // disabled, confirmation (never run unattended, design §5), no schedule
  | "invalid-service" // the service has configuration errors
  | "invalid-task" // this task has an error on this node (a user that does not exist here)
  | "schedule-error" // the schedule engine failed on this task
  | "no-run-ahead"; // no run in the next 5 years (design §6): refused, never silently idle

export interface ScheduledTask {
  /** `<svc>/<rid>`, unique across the daemon, e.g. "db/task#0". */
  readonly key: string;
  readonly svc: string;
  readonly rid: string;
  /** Null when the task is not scheduled (then notScheduledReason says why). */
  readonly schedule: Schedule | null;
  readonly catchup: CatchupPolicy;
  /** Missed slots older than this are recorded as missed, never run. Null: no limit. */
  readonly catchupWindowMs: number | null;
  /** Retries of a failed or interrupted slot; absent: none. */
  readonly retry?: RetryPolicy;
  readonly notScheduledReason?: NotScheduledReason;
  readonly notScheduledDetail?: string;
  /**
   * Set while the task's schedule is suspended: its due slots are recorded skipped, not run
   * (read from its state file at each load; changed live through Scheduler.setSuspended).
   * Not part of configDigest: suspending changes no plan.
   */
  readonly suspended?: Suspension | null;
  /** Changes whenever anything that matters for scheduling or running the task changes. */
  readonly configDigest: string;
}

/** What ConfigChanged carries for one service: its full new task list, or its absence. */
export type ServiceUpdate =
  | { readonly kind: "tasks"; readonly svc: string; readonly tasks: readonly ScheduledTask[] }
  | { readonly kind: "invalid"; readonly svc: string; readonly detail: string }
  | { readonly kind: "removed"; readonly svc: string };

export function taskKey(svc: string, rid: string): string {
  return `${svc}/${rid}`;
}

/** True when the task gets a timer; otherwise `notScheduledReason` (or a missing schedule) says why. */
export function isSchedulable(task: ScheduledTask): task is ScheduledTask & { schedule: Schedule } {
  return task.schedule !== null && task.notScheduledReason === undefined;
}

const NOT_SCHEDULED_TEXT: Readonly<Record<NotScheduledReason, string>> = {
  disabled: "the task is disabled",
  confirmation: "confirmation = true: the task never runs unattended",
  "no-schedule": "no schedule",
  "invalid-service": "the service configuration has errors",
  "invalid-task": "the task's configuration has an error on this node",
  "schedule-error": "the schedule could not be evaluated",
  "no-run-ahead": "no run in the next 5 years",
};

/** The default log text for a reason, when the config layer gives no detail. */
export function describeNotScheduled(reason: NotScheduledReason): string {
  return NOT_SCHEDULED_TEXT[reason];
}
