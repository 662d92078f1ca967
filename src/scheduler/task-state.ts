/** What the scheduler loop keeps per task (owned by the loop; see scheduler.ts). */
import { Backlog } from "./backlog.js";
import { CATCHUP_ALL_MAX_RUNS, type LaunchSlot } from "./planner.js";
import type { TaskRef } from "./events.js";
import { isSchedulable, type NotScheduledReason, type ScheduledTask } from "./task.js";
import { refOf } from "./safe-ports.js";
import type { Suspension } from "../core/suspension.js";
import { FUTURE_LAST_TOLERANCE_MS } from "../schedule/future-last.js";
import { rebaseAfterBackwardStep, resetAfterBackwardStep } from "./clock-jump.js";

export interface TaskSnapshot extends TaskRef {
  readonly nextWake: Date | null;
  readonly lastScheduled: Date | null;
  readonly notScheduled: NotScheduledReason | null;
  /** Set while the task's schedule is suspended. */
  readonly suspended: Suspension | null;
}

export interface TaskState {
  task: ScheduledTask;
  /** Last slot launched or missed; once planned, authoritative ("memory"). */
  lastScheduled: Date | null;
  source: "stored" | "memory";
  horizon: Date | null;
  /** Bumped on every config change; heap entries of older generations are stale. */
  gen: number;
  nextWake: Date | null;
  /** Slots that run one after another (catch-up). */
  readonly backlog: Backlog<QueuedSlot>;
  /** Set after a backward clock step: slots up to it run as repeats of an instant already seen. */
  repeatUntil: number | null;
}

export type QueuedSlot = LaunchSlot & { readonly repeat: boolean };

export function newTaskState(task: ScheduledTask, lastScheduled: Date | null, source: "stored" | "memory", horizon: Date | null, gen: number): TaskState {
  return { task, lastScheduled, source, horizon, gen, nextWake: null, backlog: new Backlog(CATCHUP_ALL_MAX_RUNS), repeatUntil: null };
}

/** What `Scheduler.snapshot` tells of a task. */
export function snapshotOf(s: TaskState): TaskSnapshot {
  return {
    ...refOf(s.task),
    nextWake: s.nextWake,
    lastScheduled: s.lastScheduled,
    notScheduled: isSchedulable(s.task) ? null : (s.task.notScheduledReason ?? "no-schedule"),
    suspended: s.task.suspended ?? null,
  };
}

/**
 * The clock was set back by -deltaMs: an interval or wildcard task keeps its pace (its baseline
 * moves back too), a fixed-time one waits until the clock passes its last slot, or counts it as
 * now when that lies more than 3 h ahead. Moves the state's baseline unless it waits; says what
 * was done, for the log. Needs `state.lastScheduled`.
 */
export function stepBack(state: TaskState, fixedTime: boolean, deltaMs: number, now: number): { policy: "keep-pace" | "wait" | "reset"; last: Date; baseline: Date } {
  const last = state.lastScheduled!;
  const policy = !fixedTime ? "keep-pace" : last.getTime() > now + FUTURE_LAST_TOLERANCE_MS ? "reset" : "wait";
  if (policy === "wait") return { policy, last, baseline: last };
  const pace = { last: last.getTime(), horizon: state.horizon?.getTime() ?? null, repeatUntil: state.repeatUntil };
  const b = policy === "keep-pace" ? rebaseAfterBackwardStep(pace, deltaMs) : resetAfterBackwardStep(pace, now);
  state.lastScheduled = new Date(b.last);
  state.horizon = b.horizon === null ? null : new Date(b.horizon);
  state.repeatUntil = b.repeatUntil;
  return { policy, last, baseline: state.lastScheduled };
}
