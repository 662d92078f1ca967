import { type RunBucket } from "../core/history-store.js";
import { DAY_MS } from "../schedule/calendar.js";
import { Zone } from "../schedule/zone.js";

/**
 * Per-day statistics of tasks (GET /api/v1/stats), summed from the history's quarter-hour
 * buckets: each bucket lies within one local day of the task's zone (offsets are whole quarter
 * hours), so a day is exact in any zone, DST days included. Days run from the oldest to today,
 * every day present (a day without runs has count 0 and no durations).
 */
export interface TaskZone {
  readonly svc: string;
  readonly rid: string;
  readonly timezone: string;
}

export interface DayStats {
  /** The local date, YYYY-MM-DD. */
  readonly date: string;
  /** Runs that started that day (RAN_STATUSES: skipped, missed and running records are not runs). */
  readonly count: number;
  readonly failures: number;
  readonly avgDurationMs: number | null;
  readonly maxDurationMs: number | null;
}

export interface TaskStats {
  readonly svc: string;
  readonly rid: string;
  readonly timezone: string;
  readonly days: readonly DayStats[];
}

/** The earliest start time that can fall within the last `days` local days of any zone (UTC−12 … UTC+14, DST). */
export function statsSince(now: number, days: number): number {
  return now - (days + 2) * DAY_MS;
}

/**
 * `tasks`: the configured tasks the answer lists (with their zones) even without runs;
 * buckets of other tasks (no longer configured) are listed too, in `fallbackZone`.
 */
export function dailyStats(buckets: readonly RunBucket[], tasks: readonly TaskZone[], fallbackZone: string, now: number, days: number): TaskStats[] {
  const byTask = new Map<string, { zone: TaskZone; buckets: RunBucket[] }>();
  const entry = (svc: string, rid: string, timezone: string) => {
    const k = `${svc}\u0000${rid}`;
    let e = byTask.get(k);
    if (e === undefined) byTask.set(k, (e = { zone: { svc, rid, timezone }, buckets: [] }));
    return e;
  };
  for (const t of tasks) entry(t.svc, t.rid, t.timezone);
  for (const b of buckets) entry(b.svc, b.rid, fallbackZone).buckets.push(b);
  return [...byTask.values()]
    .sort((a, b) => cmp(a.zone.svc, b.zone.svc) || cmp(a.zone.rid, b.zone.rid))
    .map((e) => ({ ...e.zone, days: taskDays(e.buckets, zoneOf(e.zone.timezone), now, days) }));
}

function taskDays(buckets: readonly RunBucket[], zone: Zone, now: number, days: number): DayStats[] {
  const today = Math.floor(zone.wallOf(now) / DAY_MS);
  const first = today - days + 1;
  const sums = Array.from({ length: days }, () => ({ count: 0, failures: 0, timed: 0, sum: 0, max: null as number | null }));
  for (const b of buckets) {
    const day = Math.floor(zone.wallOf(b.start) / DAY_MS);
    if (day < first || day > today) continue;
    const s = sums[day - first]!;
    s.count += b.runs;
    s.failures += b.failures;
    s.timed += b.timed;
    s.sum += b.durationMsSum;
    if (b.durationMsMax !== null) s.max = Math.max(s.max ?? 0, b.durationMsMax);
  }
  return sums.map((s, i) => ({
    date: new Date((first + i) * DAY_MS).toISOString().slice(0, 10),
    count: s.count,
    failures: s.failures,
    avgDurationMs: s.timed === 0 ? null : Math.round(s.sum / s.timed),
    maxDurationMs: s.max,
  }));
}

function zoneOf(name: string): Zone {
  try {
    return Zone.get(name);
  } catch {
    return Zone.get("UTC"); // a zone the configuration accepted is known; this is a last resort
  }
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
