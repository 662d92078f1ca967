/**
 * Clock anomalies, named as cronie names them, detected at each wake by comparing the instant
 * the timer was expected to fire (wall clock when armed + delay) with the wall clock observed.
 * Timers run on a monotonic clock and are never armed longer than MAX_TIMER_MS, so any wall
 * clock step or suspend shows up within 30 s as a difference between the two.
 *
 * Policies (applied by the planner and the scheduler, not here):
 * - on-time, late: slots run normally; the most recent slot at most LATE_THRESHOLD_MS old is
 *   on time, whatever the catch-up policy.
 * - jump-forward (also resume from suspend): older slots go through the task's catch-up policy.
 * - jump-backward: the in-memory last scheduled slot is authoritative; no slot at or before it
 *   is ever launched again, so the repeated wall-clock interval runs nothing twice.
 */

/** Timers are never armed for longer than this (croner's maxDelay; survives suspend and steps). */
export const MAX_TIMER_MS = 30_000;

/** A wake within this distance of its expected instant is on time (either direction). */
export const ON_TIME_TOLERANCE_MS = 1_000;

/** A wake later than this is a forward jump (or a resume); below it, merely late. */
export const LATE_THRESHOLD_MS = 60_000;

export type ClockJumpKind = "on-time" | "late" | "jump-forward" | "jump-backward";

export type ClockJump =
  | { readonly kind: "on-time"; readonly deltaMs: number }
  | { readonly kind: "late"; readonly deltaMs: number }
  | { readonly kind: "jump-forward"; readonly deltaMs: number }
  | { readonly kind: "jump-backward"; readonly deltaMs: number };

export interface ClockJumpThresholds {
  readonly onTimeToleranceMs: number;
  readonly lateThresholdMs: number;
}

export const DEFAULT_THRESHOLDS: ClockJumpThresholds = {
  onTimeToleranceMs: ON_TIME_TOLERANCE_MS,
  lateThresholdMs: LATE_THRESHOLD_MS,
};

/**
 * Classifies one wake. `deltaMs` = observed − expected: positive when the wall clock is ahead
 * of where the timer expected it, negative when it went back (a premature wake by more than
 * the tolerance can only come from a backward step, since timers are monotonic).
 */
export function classifyClockJump(
  expectedMs: number,
  observedMs: number,
  thresholds: ClockJumpThresholds = DEFAULT_THRESHOLDS,
): ClockJump {
  const deltaMs = observedMs - expectedMs;
  if (Math.abs(deltaMs) <= thresholds.onTimeToleranceMs) return { kind: "on-time", deltaMs };
  if (deltaMs < 0) return { kind: "jump-backward", deltaMs };
  if (deltaMs <= thresholds.lateThresholdMs) return { kind: "late", deltaMs };
  return { kind: "jump-forward", deltaMs };
}

/** The delay to arm for a wake wanted at `targetMs`: never negative, never above the cap. */
export function timerDelay(targetMs: number, nowMs: number, capMs: number = MAX_TIMER_MS): number {
  return Math.min(Math.max(targetMs - nowMs, 0), capMs);
}

/** A task's baseline as the scheduler keeps it (epoch ms). */
export interface PaceBaseline {
  readonly last: number;
  readonly horizon: number | null;
  /** While set, slots at or before it have run once already (the clock was set back). */
  readonly repeatUntil: number | null;
}

/**
 * After the clock was set back by `-deltaMs` (deltaMs < 0), an interval or wildcard schedule
 * keeps its pace in real time (cronie): its baseline moves back with the clock, so its next slot
 * comes as long after the last run as it would have without the step. The slots it runs again
 * up to the old baseline are marked repeated (`repeatUntil`). A fixed-time schedule keeps its
 * baseline: its slots already run are not run again, it resumes when the clock passes them —
 * unless the step put its last run more than 3 hours ahead (resetAfterBackwardStep).
 */
export function rebaseAfterBackwardStep(b: PaceBaseline, deltaMs: number): PaceBaseline {
  return {
    last: b.last + deltaMs,
    horizon: b.horizon === null ? null : b.horizon + deltaMs,
    repeatUntil: Math.max(b.repeatUntil ?? b.last, b.last),
  };
}

/**
 * A fixed-time schedule whose last run is more than 3 hours ahead after a backward step: the
 * clock was reset, and the last run counts as now (design §6, cronie's reset), so the task
 * does not stall until the clock catches up. The slots it runs again up to the old last run
 * are marked repeated.
 */
export function resetAfterBackwardStep(b: PaceBaseline, nowMs: number): PaceBaseline {
  return { last: nowMs, horizon: nowMs, repeatUntil: Math.max(b.repeatUntil ?? b.last, b.last) };
}
