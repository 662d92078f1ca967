import type { Element, Program } from "./ast.js";
import { DAY_MS, formatDay, formatTimeOfDay } from "./calendar.js";
import { cronWallFrom, type CronRule } from "./cron.js";
import { dayMatches } from "./opensvc-match.js";
import type { ScheduleWarning } from "./types.js";
import type { Zone } from "./zone.js";

/**
 * Fixed times that meet a DST transition of the zone in the coming years: in a spring-forward
 * gap they run right after it; in a repeated hour they run on the first pass only.
 * One warning per kind of transition, naming the first date and counting the others.
 */

/** A fixed-time occurrence (wall ms) inside [lo, hi), or -1. */
export type WallProbe = (lo: number, hi: number) => number;

interface Meeting {
  readonly wall: number;
  readonly from: number;
  readonly to: number;
}

export function dstWarnings(expr: string, zone: Zone, probe: WallProbe, from: number, years: number): ScheduleWarning[] {
  const gaps: Meeting[] = [];
  const repeats: Meeting[] = [];
  for (const tr of zone.transitions(from, from + years * 365.25 * DAY_MS)) {
    const [lo, hi] = tr.after > tr.before ? [tr.at + tr.before, tr.at + tr.after] : [tr.at + tr.after, tr.at + tr.before];
    const wall = probe(lo, hi);
    if (wall < 0) continue;
    (tr.after > tr.before ? gaps : repeats).push({ wall, from: tr.at + tr.before, to: tr.at + tr.after });
  }
  const out: ScheduleWarning[] = [];
  const q = JSON.stringify(expr);
  const more = (list: Meeting[]) => (list.length > 1 ? ` (and on ${list.length - 1} more date${list.length > 2 ? "s" : ""} in the next ${years} years)` : "");
  const g = gaps[0];
  if (g !== undefined) out.push({ message: `${q} in ${zone.name}: ${hm(g.wall)} does not exist on ${day(g.wall)} (clocks jump from ${hm(g.from)} to ${hm(g.to)}); that run happens at ${hm(g.to)} instead${more(gaps)}` });
  const r = repeats[0];
  if (r !== undefined) out.push({ message: `${q} in ${zone.name}: ${hm(r.wall)} happens twice on ${day(r.wall)} (clocks go back from ${hm(r.from)} to ${hm(r.to)}); it runs once, on the first pass${more(repeats)}` });
  return out;
}

const hm = (wall: number) => formatTimeOfDay(((wall % DAY_MS) + DAY_MS) % DAY_MS);
const day = (wall: number) => formatDay(Math.floor(wall / DAY_MS));

export function cronProbe(rule: CronRule): WallProbe {
  return (lo, hi) => {
    if (!rule.fixed) return -1;
    const w = cronWallFrom(rule, lo);
    return w !== null && w < hi ? w : -1;
  };
}

/** Window starts of once-per-range include windows, on days their element allows. */
export function opensvcProbe(program: Program): WallProbe {
  return (lo, hi) => {
    for (const el of program.includes) {
      const w = windowStartIn(el, lo, hi);
      if (w >= 0) return w;
    }
    return -1;
  };
}

function windowStartIn(el: Element, lo: number, hi: number): number {
  for (let day = Math.floor(lo / DAY_MS); day * DAY_MS < hi; day++) {
    if (!dayMatches(el, day)) continue;
    for (const r of el.ranges) {
      const w = day * DAY_MS + r.begin;
      if (r.fixed && r.length < DAY_MS - 1 && w >= lo && w < hi) return w;
    }
  }
  return -1;
}
