/**
 * The scheduler's decisions as data: one event per decision, each naming the task and the
 * slot, for the daemon log (one line each, see formatDaemonEvent).
 */
import type { ClockJump } from "./clock-jump.js";
import type { MissedReason } from "./planner.js";
import type { TaskRun } from "../run/task-run.js";
import type { NotScheduledReason } from "./task.js";
import type { Suspension } from "../core/suspension.js";

export interface TaskRef {
  readonly svc: string;
  readonly rid: string;
  readonly key: string;
}

export interface SlotEventBase extends TaskRef {
  readonly slot: Date;
}

/** Missed for the planner's reasons, because the daemon stopped first, or the task was removed. */
export type MissedEventReason = MissedReason | "shutdown" | "removed" | "unrecorded";

export type DaemonEvent =
  | (TaskRef & { readonly kind: "planned"; readonly slot: Date | null })
  /** Due but held by the node-wide limit; `waiting` = its place in the line (1 = next). */
  | (SlotEventBase & { readonly kind: "queued"; readonly catchup: boolean; readonly waiting: number })
  | (SlotEventBase & { readonly kind: "started"; readonly catchup: boolean; readonly attempt?: number })
  /** The run ended (its record in `run.record`), or never started (no record: `run.reason` says why). */
  | (SlotEventBase & { readonly kind: "finished"; readonly run: TaskRun })
  /** The pipeline refused the slot and recorded it skipped: `reason` is the stage that refused (requires, max-parallel, confirmation, disabled, duplicate-slot). */
  | (SlotEventBase & { readonly kind: "skipped"; readonly reason: string; readonly detail: string })
  | (SlotEventBase & {
      readonly kind: "missed";
      readonly reason: MissedEventReason;
      readonly detail: string;
      /** >1 for a summary of slots not recorded one by one. */
      readonly count: number;
    })
  | (SlotEventBase & { readonly kind: "interrupted"; readonly detail: string })
  /** A failed or interrupted attempt at the slot will be tried again at `at`. */
  | (SlotEventBase & { readonly kind: "retry-planned"; readonly attempt: number; readonly at: Date; readonly detail: string })
  | { readonly kind: "clock-jump"; readonly jump: ClockJump; readonly expected: Date; readonly observed: Date }
  /**
   * The stored last slot lies in the future: more than 3 h ahead it counts as now (`kept`
   * false); within 3 h it stands (`kept` true). Logged once per task, on its first plan.
   */
  | (TaskRef & { readonly kind: "distrusted-last"; readonly stored: Date; readonly now: Date; readonly kept: boolean })
  /**
   * The clock was set back: a fixed-time task waits until it passes `last` (its slots already
   * ran), or, when `last` is now more than 3 h ahead, counts it as now (`reset`, baseline = now);
   * an interval or wildcard task keeps its pace from `baseline` (= last moved back too).
   */
  | (TaskRef & { readonly kind: "clock-step"; readonly policy: "keep-pace" | "wait" | "reset"; readonly last: Date; readonly baseline: Date })
  | (TaskRef & { readonly kind: "not-scheduled"; readonly reason: NotScheduledReason; readonly detail: string })
  /** The task's schedule was suspended (its slots are recorded skipped from now on) or resumed. */
  | (TaskRef & { readonly kind: "suspended"; readonly suspension: Suspension })
  | (TaskRef & { readonly kind: "resumed"; readonly next: Date | null })
  | {
      readonly kind: "reloaded";
      readonly svc: string;
      readonly added: number;
      readonly changed: number;
      readonly removed: number;
      readonly unchanged: number;
    }
  | {
      readonly kind: "port-error";
      readonly port: "launch" | "recordMissed" | "recordSkipped" | "loadLastScheduled";
      readonly key: string;
      readonly detail: string;
    };

export type DaemonEventKind = DaemonEvent["kind"];
