/**
 * The schedule contract shared by config validation, `print schedule`, previews and the daemon.
 * All instants are absolute (Date = UTC instant); wall-clock reasoning happens inside the
 * engine, in the schedule's time zone. The engine is pure: it never reads the clock.
 */

export type ScheduleKind = "none" | "opensvc" | "cron";

export interface ScheduleOptions {
  /** IANA zone the expression is evaluated in. Default: the host's zone. */
  readonly timezone?: string;
  /**
   * Identity used to derive the deterministic `~` delay, e.g. "node/svc/task#0".
   * The same key always gives the same delay for the same window.
   */
  readonly splayKey?: string;
}

/** Why a run sits where it does, when a DST rule decided it. */
export type DstNote =
  | "gap-moved" // its wall time did not exist; it runs right after the gap
  | "gap-coalesced" // several occurrences fell in one gap; this single run stands for all of them
  | "overlap-first"; // its wall time happened twice; it runs on the first pass only

export interface PlannedRun {
  readonly at: Date;
  readonly dst?: DstNote;
}

export interface CheckResult {
  readonly allowed: boolean;
  /** Why not (or, when allowed, nothing). */
  readonly reason?: string;
  /**
   * Allowed, and the window is a `~` (probabilistic) one: this task's deterministic spread
   * puts its run this many ms later in the window (`next()` returns that instant).
   */
  readonly delayMs?: number;
}

export interface Schedule {
  readonly expression: string;
  readonly kind: ScheduleKind;
  readonly timezone: string;
  /**
   * cronie's class: true when the schedule names fixed wall times (neither the minute nor the
   * hour starts with `*`; an OpenSVC window that runs once per range), false for wildcard and
   * interval schedules. A slot of a fixed-time schedule never runs twice when the clock is set
   * back; the others keep their pace in real time. A list with any fixed-time part is fixed-time.
   */
  readonly fixedTime: boolean;
  /** First run instant >= now, given the last scheduled run; null = never. */
  next(now: Date, last?: Date | null): Date | null;
  /** `count` runs from now, each assumed to happen at its instant (it becomes the next `last`). */
  nextRuns(now: Date, count: number, last?: Date | null): Date[];
  /** Same as nextRuns, with DST annotations for previews. */
  explainRuns(now: Date, count: number, last?: Date | null): PlannedRun[];
  /** May a run start at `now`? */
  check(now: Date, last?: Date | null): CheckResult;
}

/** A trap in an otherwise valid expression, reported by `validate config` as a warning. */
export interface ScheduleWarning {
  readonly message: string;
}
