import { planTask } from "../scheduler/planner.js";
import type { CatchupPolicy } from "../scheduler/task.js";
import type { Schedule } from "../schedule/types.js";

/** When the daemon takes a task's next run, as its planner decides it from the recorded history. */
export interface NextRun {
  /** The instant; null when the schedule has no further slot. */
  readonly at: Date | null;
  /** Set when a slot is due and not taken yet (the daemon runs it at its next plan: now, or at its start). */
  readonly overdueSlot: Date | null;
}

/**
 * The next run of a scheduled task from the daemon's point of view. Only scheduled runs move a
 * schedule (a manual run does not, as in OpenSVC): the baseline is the last scheduled slot,
 * and the decision is the daemon's own planner's, catch-up policy included. Pure.
 */
export function nextRunOf(input: {
  readonly schedule: Schedule;
  readonly catchup: CatchupPolicy;
  readonly catchupWindowMs: number | null;
  readonly lastScheduled: number | null;
}, now: Date): NextRun {
  const plan = planTask({ ...input, lastScheduled: input.lastScheduled === null ? null : new Date(input.lastScheduled), lastScheduledSource: "stored", horizon: null }, now);
  const due = plan.launches[plan.launches.length - 1];
  if (due !== undefined) return { at: now, overdueSlot: due.scheduledFor };
  return { at: plan.nextWake, overdueSlot: null };
}
