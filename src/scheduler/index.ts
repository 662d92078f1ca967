/**
 * The daemon's scheduling brain: pure planning, clock-jump classification and the
 * single-owner loop. I/O (timers, history, the run pipeline, the log) comes in through ports.
 */
export { Scheduler, type StopReport, type TaskSnapshot } from "./scheduler.js";
export {
  planTask, decideSlot, resolveBaseline, runLimit, knownPastSlots, missedRecords,
  DISTRUST_TOLERANCE_MS, MISSED_RECORD_LIMIT, CATCHUP_ALL_MAX_RUNS,
  type PlanInput, type TaskPlan, type LaunchSlot, type MissedSlot, type MissedReason, type SlotDecision,
} from "./planner.js";
export {
  classifyClockJump, timerDelay, MAX_TIMER_MS, ON_TIME_TOLERANCE_MS, LATE_THRESHOLD_MS,
  type ClockJump, type ClockJumpKind, type ClockJumpThresholds,
} from "./clock-jump.js";
export {
  defaultMaxParallel,
  type DaemonPorts, type LaunchRequest, type LaunchOutcome, type SkipReason, type SlotRef, type SchedulerOptions,
} from "./ports.js";
export type { DaemonEvent, DaemonEventKind, MissedEventReason, TaskRef } from "./events.js";
export { formatDaemonEvent } from "./event-format.js";
export {
  taskKey, isSchedulable, describeNotScheduled, CATCHUP_POLICIES,
  type ScheduledTask, type ServiceUpdate, type CatchupPolicy, type NotScheduledReason,
} from "./task.js";
