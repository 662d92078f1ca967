/**
 * Small Schedule implementations for daemon tests, honouring the contract in
 * src/schedule/types.ts: next(now, last) is the first slot >= now and > last.
 */
import type { CheckResult, PlannedRun, Schedule } from "../../src/schedule/types.js";

type NextFn = (nowMs: number, lastMs: number | null) => number | null;

/** Wraps a next() function into a full Schedule; nextRuns/explainRuns/check derive from it. */
export function scheduleFrom(expression: string, nextFn: NextFn, timezone = "UTC", fixedTime = false): Schedule & { calls: number } {
  const s = {
    expression,
    kind: "opensvc" as const,
    timezone,
    fixedTime,
    calls: 0,
    next(now: Date, last?: Date | null): Date | null {
      s.calls++;
      const at = nextFn(now.getTime(), last?.getTime() ?? null);
      return at === null ? null : new Date(at);
    },
    nextRuns(now: Date, count: number, last?: Date | null): Date[] {
      const out: Date[] = [];
      let prev = last ?? null;
      let cursor = now;
      while (out.length < count) {
        const at = s.next(cursor, prev);
        if (at === null) break;
        out.push(at);
        prev = at;
        cursor = new Date(at.getTime() + 1);
      }
      return out;
    },
    explainRuns(now: Date, count: number, last?: Date | null): PlannedRun[] {
      return s.nextRuns(now, count, last).map((at) => ({ at }));
    },
    check(now: Date, last?: Date | null): CheckResult {
      return { allowed: s.next(now, last)?.getTime() === now.getTime() };
    },
  };
  return s;
}

/** Slots at every multiple of `seconds` since the epoch. */
export function everySeconds(seconds: number): Schedule & { calls: number } {
  const step = seconds * 1000;
  return scheduleFrom(`@${seconds}s`, (now, last) => {
    const from = last === null ? now : Math.max(now, last + 1);
    return Math.ceil(from / step) * step;
  });
}

/** OpenSVC-style interval from the last run: `last + minutes`, or `now` when never run. */
export function intervalFromLast(minutes: number): Schedule & { calls: number } {
  const step = minutes * 60_000;
  return scheduleFrom(`@${minutes}`, (now, last) => (last === null ? now : Math.max(now, last + step)));
}

/** Daily at HH:MM in a fixed UTC offset (minutes east of UTC). */
export function dailyAt(hh: number, mm: number, offsetMinutes = 0): Schedule & { calls: number } {
  const day = 86_400_000;
  const at = (hh * 60 + mm - offsetMinutes) * 60_000;
  return scheduleFrom(`${hh}:${mm} daily`, (now, last) => {
    const from = last === null ? now : Math.max(now, last + 1);
    const base = Math.floor((from - at) / day) * day + at;
    return base >= from ? base : base + day;
  }, "UTC", true);
}

/** A schedule with no slot at all. */
export function never(): Schedule & { calls: number } {
  return scheduleFrom("never", () => null);
}
