import { daysFromCivil, isLeapYear, isoWeek, isoWeekday, monthLength } from "./calendar.js";

/**
 * The Gregorian calendar repeats every 400 years (146,097 days, a whole number of weeks), and
 * so do ISO weeks: every calendar fact a schedule can test — month, day of month, month length,
 * weekday, ISO week — takes the same values in every 400-year cycle. The distinct kinds of day
 * of one cycle, grouped by month, let the engine decide "never" exactly without walking years.
 */
export const CYCLE_DAYS = 146_097;
export const CYCLE_YEARS = 400;

/** One kind of day: the calendar facts a schedule can test, as they occur together. */
export interface DayKind {
  readonly d: number;
  /** Length of its month. */
  readonly length: number;
  /** 1 = Monday .. 7 = Sunday. */
  readonly weekday: number;
  readonly week: number;
}

let byMonth: readonly (readonly DayKind[])[] | null = null;

/** The distinct kinds of day of a 400-year cycle, indexed by month 1..12 (built once, on first use). */
export function dayKindsByMonth(): readonly (readonly DayKind[])[] {
  byMonth ??= buildKinds();
  return byMonth;
}

/**
 * A year's days are fixed by its type: the weekday of January 1st, whether it is a leap year,
 * and whether the year before was (early January may belong to the previous ISO year's week
 * 52 or 53). Each type met in one cycle contributes its days once.
 */
function buildKinds(): DayKind[][] {
  const types = new Set<number>();
  const seen = new Set<number>();
  const out: DayKind[][] = Array.from({ length: 13 }, () => []);
  for (let y = 2000; y < 2000 + CYCLE_YEARS; y++) {
    const jan1 = daysFromCivil(y, 1, 1);
    const type = isoWeekday(jan1) * 4 + (isLeapYear(y) ? 2 : 0) + (isLeapYear(y - 1) ? 1 : 0);
    if (types.has(type)) continue;
    types.add(type);
    let day = jan1;
    let weekday = isoWeekday(jan1);
    let week = isoWeek(jan1);
    for (let m = 1; m <= 12; m++) {
      const length = monthLength(y, m);
      for (let d = 1; d <= length; d++, day++, weekday = (weekday % 7) + 1) {
        if (weekday === 1) week = isoWeek(day);
        const key = (((m * 32 + d) * 32 + length) * 8 + weekday) * 64 + week;
        if (seen.has(key)) continue;
        seen.add(key);
        out[m]!.push({ d, length, weekday, week });
      }
    }
  }
  return out;
}
