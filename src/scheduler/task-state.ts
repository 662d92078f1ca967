/** What the scheduler loop keeps per task (owned by the loop; see scheduler.ts). */
import { Backlog } from "./backlog.js";
import { CATCHUP_ALL_MAX_RUNS, type LaunchSlot } from "./planner.js";
import type { TaskRef } from "./events.js";
import type { NotScheduledReason, ScheduledTask } from "./task.js";

export interface TaskSnapshot extends TaskRef {
  readonly nextWake: Date | null;
  readonly lastScheduled: Date | null;
  readonly notScheduled: NotScheduledReason | null;
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
