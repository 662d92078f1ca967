/**
 * Proleptic Gregorian calendar arithmetic on "epoch days" (days since 1970-01-01).
 * Wall-clock times are handled as "wall ms": the instant the same fields would denote in UTC,
 * so day = floor(wall / DAY_MS) and time of day = wall - day * DAY_MS. No Date objects here.
 */
export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;

export interface CivilDate {
  readonly y: number;
  readonly m: number; // 1..12
  readonly d: number; // 1..31
}

/** Epoch day → civil date (valid for any integer day). */
export function civilFromDays(day: number): CivilDate {
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return { y: yoe + era * 400 + (m <= 2 ? 1 : 0), m, d };
}

/** Civil date → epoch day. Month and day must be in range. */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const MONTH_LENGTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Number of days of month m (1..12) of year y. */
export function monthLength(y: number, m: number): number {
  return m === 2 && isLeapYear(y) ? 29 : MONTH_LENGTH[m - 1]!;
}

/** ISO weekday of an epoch day: 1 = Monday .. 7 = Sunday (1970-01-01 was a Thursday). */
export function isoWeekday(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

/** ISO-8601 week number (1..53): the week holding the year's first Thursday is week 1. */
export function isoWeek(day: number): number {
  const thursday = day + 4 - isoWeekday(day);
  const jan1 = daysFromCivil(civilFromDays(thursday).y, 1, 1);
  return Math.floor((thursday - jan1) / 7) + 1;
}

/** UTC year of an instant (or of a wall ms). */
export function yearOf(ms: number): number {
  return civilFromDays(Math.floor(ms / DAY_MS)).y;
}

/** First instant (ms) of January 1st of year y, UTC. */
export function yearStart(y: number): number {
  return daysFromCivil(y, 1, 1) * DAY_MS;
}

/** "HH:MM" or "HH:MM:SS" for a time of day in ms (seconds shown when not zero). */
export function formatTimeOfDay(ms: number): string {
  const s = Math.floor(ms / 1000);
  const hh = String(Math.floor(s / 3600)).padStart(2, "0");
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, "0");
  const ss = s % 60;
  return ss === 0 ? `${hh}:${mm}` : `${hh}:${mm}:${String(ss).padStart(2, "0")}`;
}

/** "YYYY-MM-DD" for an epoch day. */
export function formatDay(day: number): string {
  const { y, m, d } = civilFromDays(day);
  return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}
