/**
 * A daily fixed-time schedule in an IANA zone, using Intl for offsets, with cronie's DST rule
 * for fixed times (design §6): a time in the spring-forward gap runs once right after the gap;
 * a time in the repeated hour runs once, on the first pass. Test-only stand-in for the engine.
 */
import type { Schedule } from "../../src/schedule/types.js";
import { scheduleFrom } from "./fake-schedules.js";

const DAY = 86_400_000;

function offsetAt(utcMs: number, timeZone: string): number {
  const fmt = new Intl.DateTimeFormat("en-US", {
    timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
    hour: "numeric", minute: "numeric", second: "numeric",
  });
  const p = Object.fromEntries(fmt.formatToParts(new Date(utcMs)).map((x) => [x.type, x.value]));
  const local = Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!);
  return local - Math.floor(utcMs / 1000) * 1000;
}

/** The UTC instant that wall time `localMs` (as if UTC) maps to, with the DST rule above. */
export function wallToUtc(localMs: number, timeZone: string): number {
  const before = offsetAt(localMs - DAY, timeZone);
  const after = offsetAt(localMs + DAY, timeZone);
  const valid = [localMs - before, localMs - after]
    .filter((t) => offsetAt(t, timeZone) === localMs - t)
    .sort((a, b) => a - b);
  if (valid.length > 0) return valid[0]!;
  // In the gap: the transition instant, found by bisection between the two candidates.
  let lo = localMs - before;
  let hi = localMs - after;
  if (lo > hi) [lo, hi] = [hi, lo];
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2000) * 1000;
    if (offsetAt(mid, timeZone) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

export function zonedDaily(hh: number, mm: number, timeZone: string): Schedule & { calls: number } {
  return scheduleFrom(`${hh}:${mm} daily ${timeZone}`, (now, last) => {
    const from = last === null ? now : Math.max(now, last + 1);
    const localDay = Math.floor((from + offsetAt(from, timeZone)) / DAY) * DAY;
    for (let d = -1; d < 3; d++) {
      const at = wallToUtc(localDay + d * DAY + (hh * 60 + mm) * 60_000, timeZone);
      if (at >= from) return at;
    }
    return null;
  }, timeZone);
}
