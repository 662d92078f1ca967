/**
 * Bounded enumeration of a schedule's slots up to `now`. A `@1s` task down for a month has
 * 2.6 M missed slots: these helpers never call the engine more than a bounded number of times
 * per task and planning pass, whatever the downtime.
 */
import type { Schedule } from "../schedule/types.js";

export interface SlotRun {
  /** Slots in [from, now], chronological, epoch ms. */
  readonly slots: number[];
  /** The first slot after `now` (null: none, or not reached when incomplete). */
  readonly next: number | null;
  /** False when `limit` slots were collected before passing `now`. */
  readonly complete: boolean;
}

/** Tries per search; each try halves or doubles the span, so 64 covers any ms range. */
const SEARCH_TRIES = 64;

/** Thrown when an engine answers an instant earlier than asked (it would loop forever). */
export class ScheduleContractError extends Error {
  override readonly name = "ScheduleContractError";
}

/**
 * Slots from `fromMs` (inclusive) up to `nowMs` (inclusive), at most `limit`, each next slot
 * computed with the previous one as `last` (as if each had run at its instant).
 */
export function collectSlots(
  schedule: Schedule,
  fromMs: number,
  last: number | null,
  nowMs: number,
  limit: number,
): SlotRun {
  const slots: number[] = [];
  let cursor = fromMs;
  let prev = last;
  for (;;) {
    const at = schedule.next(new Date(cursor), prev === null ? null : new Date(prev))?.getTime() ?? null;
    if (at === null) return { slots, next: null, complete: true };
    if (at < cursor) {
      throw new ScheduleContractError(`schedule "${schedule.expression}" answered ${new Date(at).toISOString()} for a time >= ${new Date(cursor).toISOString()}`);
    }
    if (at > nowMs) return { slots, next: at, complete: true };
    if (slots.length >= limit) return { slots, next: null, complete: false };
    slots.push(at);
    cursor = at + 1;
    prev = at;
  }
}

/**
 * The most recent `want` slots in (afterMs, nowMs], found without walking from `afterMs`:
 * a window ending at `now` is widened or narrowed until it holds at least `want` slots and
 * can be enumerated within a small limit. `spacingMs` is a hint for the first window.
 * Returns null when no window could be enumerated (pathological schedules).
 */
export function findRecentSlots(
  schedule: Schedule,
  afterMs: number,
  nowMs: number,
  want: number,
  spacingMs: number,
): SlotRun | null {
  let span = Math.max(spacingMs * (want + 1), 1_000);
  let best: SlotRun | null = null;
  for (let i = 0; i < SEARCH_TRIES; i++) {
    const start = Math.max(afterMs + 1, nowMs - span);
    const run = collectSlots(schedule, start, afterMs, nowMs, 4 * want + 8);
    if (!run.complete) {
      span = Math.floor(span / 2);
      continue;
    }
    best = run;
    if (run.slots.length >= want || start === afterMs + 1) break;
    span *= 2;
  }
  return best === null ? null : { ...best, slots: best.slots.slice(-want) };
}

/** Average distance between consecutive slots (0 for fewer than two). */
export function averageSpacing(slots: readonly number[]): number {
  if (slots.length < 2) return 0;
  return (slots[slots.length - 1]! - slots[0]!) / (slots.length - 1);
}
