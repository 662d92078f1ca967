import type { Element, TimeRange } from "./ast.js";
import { DAY_MS, civilFromDays, daysFromCivil, isoWeek, isoWeekday, monthLength } from "./calendar.js";

/**
 * Wall-clock membership tests for OpenSVC elements. `day` is an epoch day, `wall` a wall ms.
 * Calendar filters apply to the calendar day of the tested time (a range running past midnight
 * is checked against each day it touches, as in om3).
 */

export type DayVerdict = "ok" | "month" | "week" | "day";

/** Why `day` is refused by the element's months, weeks and days filters ("ok" if it is not). */
export function dayVerdict(el: Element, day: number): DayVerdict {
  const { y, m, d } = civilFromDays(day);
  if (((el.months >> m) & 1) === 0) return "month";
  if (el.weeks !== null && !el.weeks[isoWeek(day)]) return "week";
  const wd = isoWeekday(day);
  if ((el.anyDayWeekdays >> wd) & 1) return "ok";
  for (const r of el.dayRules) {
    if (r.weekday !== wd) continue;
    const target = r.monthday > 0 ? r.monthday : monthLength(y, m) + r.monthday + 1;
    if (target === d) return "ok";
  }
  return "day";
}

export function dayMatches(el: Element, day: number): boolean {
  return dayVerdict(el, day) === "ok";
}

/**
 * The next epoch day after `day` that may pass the element's filters, skipping what the
 * verdict rules out: the rest of a refused month, the rest of a refused ISO week, or days of
 * month no day rule names. Never skips a day that could match.
 */
export function nextCandidateDay(el: Element, day: number, verdict: DayVerdict): number {
  if (verdict === "ok") return day + 1;
  if (verdict === "week") return nextWeekStart(el.weeks!, day);
  const { y, m, d } = civilFromDays(day);
  if (verdict === "month") return nextMonthStart(el.months, y, m);
  const monthEnd = day - d + monthLength(y, m);
  if (el.anyDayWeekdays !== 0) return day + 1;
  return nextRuleDay(el, day, d, monthEnd);
}

/** The 1st of the first allowed month after month m of year y (the mask is never empty). */
function nextMonthStart(months: number, y: number, m: number): number {
  for (let i = 1; i <= 12; i++) {
    const mm = ((m - 1 + i) % 12) + 1;
    if ((months >> mm) & 1) return daysFromCivil(m + i > 12 ? y + 1 : y, mm, 1);
  }
  return daysFromCivil(y + 1, m, 1);
}

/**
 * The Monday of the next allowed ISO week, or of a week at or before it (weeks are numbered
 * consecutively within an ISO year, so this is exact but for year ends, which the caller
 * re-checks).
 */
function nextWeekStart(weeks: readonly boolean[], day: number): number {
  const monday = day + 1 - isoWeekday(day);
  const wk = isoWeek(day);
  for (let w = wk + 1; w <= 53; w++) if (weeks[w]) return monday + 7 * (w - wk);
  return monday + 7 * Math.max(1, 52 - wk + 1);
}

/** Next day in this month whose day-of-month some rule names; else the 1st of next month. */
function nextRuleDay(el: Element, day: number, d: number, monthEnd: number): number {
  const length = monthEnd - (day - d);
  let best = monthEnd + 1;
  for (const r of el.dayRules) {
    const target = r.monthday > 0 ? r.monthday : length + r.monthday + 1;
    const at = day - d + target;
    if (target > d && target <= length && at < best) best = at;
  }
  return best;
}

/** Earliest wall >= lb inside the range's part(s) on the day starting at ds, or -1. */
export function firstInRange(r: TimeRange, ds: number, lb: number): number {
  if (!r.wraps) return clampInto(ds + r.begin, ds + r.end, lb);
  const morning = clampInto(ds, ds + r.end, lb);
  return morning >= 0 ? morning : clampInto(ds + r.begin, ds + DAY_MS - 1, lb);
}

function clampInto(a: number, b: number, lb: number): number {
  const c = lb > a ? lb : a;
  return c <= b ? c : -1;
}

/** Is the time of day (ms) inside an include range (both ends inclusive)? */
export function inRange(r: TimeRange, tod: number): boolean {
  return r.wraps ? tod >= r.begin || tod <= r.end : tod >= r.begin && tod <= r.end;
}

/** Start (wall) of the window instance of range r that holds wall w, on day ds. */
export function windowStart(r: TimeRange, ds: number, w: number): number {
  return r.wraps && w - ds <= r.end ? ds - DAY_MS + r.begin : ds + r.begin;
}

/**
 * If an exclusion covers `wall`, the wall time at which that exclusion releases (its end,
 * or the next midnight for the evening part of a range running past midnight); else -1.
 */
export function exclusionRelease(excludes: readonly Element[], wall: number): number {
  if (excludes.length === 0) return -1;
  const day = Math.floor(wall / DAY_MS);
  const ds = day * DAY_MS;
  const tod = wall - ds;
  for (const x of excludes) {
    if (!dayMatches(x, day)) continue;
    for (const r of x.ranges) {
      if (r.wraps ? tod >= r.begin : tod >= r.begin && tod < r.end) return r.wraps ? ds + DAY_MS : ds + r.end;
      if (r.wraps && tod < r.end) return ds + r.end;
    }
  }
  return -1;
}

/** The exclusion element covering `wall`, if any (for messages). */
export function excludedBy(excludes: readonly Element[], wall: number): Element | null {
  for (const x of excludes) if (exclusionRelease([x], wall) >= 0) return x;
  return null;
}
