import type { Element, TimeRange } from "./ast.js";
import { DAY_MS } from "./calendar.js";
import { dayKindsByMonth, type DayKind } from "./cycle.js";

/**
 * Can an OpenSVC include element ever run? Its allowed wall times (its calendar days, its
 * ranges, minus the program's exclusions) repeat with the 400-year cycle, and an interval or
 * a last run only sets a lower bound, so the element runs some day if and only if one kind
 * of day of the cycle allows it at some time of day. Decided exactly, once per element.
 */
const verdicts = new WeakMap<Element, boolean>();

export function elementCanRun(el: Element, excludes: readonly Element[]): boolean {
  let v = verdicts.get(el);
  if (v === undefined) {
    v = decide(el, excludes);
    verdicts.set(el, v);
  }
  return v;
}

/** True when the element was already found never to run. */
export function knownNever(el: Element): boolean {
  return verdicts.get(el) === false;
}

function decide(el: Element, excludes: readonly Element[]): boolean {
  const kinds = dayKindsByMonth();
  const covered = new Map<number, boolean>();
  for (let m = 1; m <= 12; m++) {
    if (((el.months >> m) & 1) === 0) continue;
    for (const k of kinds[m]!) {
      if (!kindMatches(el, m, k)) continue;
      const mask = excludeMask(excludes, m, k);
      let all = covered.get(mask);
      if (all === undefined) {
        all = rangesCovered(el.ranges, coveredSpans(excludes, mask));
        covered.set(mask, all);
      }
      if (!all) return true;
    }
  }
  return false;
}

/** The element's months, weeks and days filters on a kind of day (dayVerdict's rule). */
export function kindMatches(el: Element, m: number, k: DayKind): boolean {
  if (((el.months >> m) & 1) === 0) return false;
  if (el.weeks !== null && !el.weeks[k.week]) return false;
  if ((el.anyDayWeekdays >> k.weekday) & 1) return true;
  for (const r of el.dayRules) {
    const target = r.monthday > 0 ? r.monthday : k.length + r.monthday + 1;
    if (r.weekday === k.weekday && target === k.d) return true;
  }
  return false;
}

function excludeMask(excludes: readonly Element[], m: number, k: DayKind): number {
  let mask = 0;
  for (let i = 0; i < excludes.length && i < 31; i++) if (kindMatches(excludes[i]!, m, k)) mask |= 1 << i;
  return mask;
}

/** Half-open time-of-day spans [a, b) the masked exclusions cover (exclusionRelease's rule). */
function coveredSpans(excludes: readonly Element[], mask: number): [number, number][] {
  const spans: [number, number][] = [];
  for (let i = 0; i < excludes.length && i < 31; i++) {
    if (((mask >> i) & 1) === 0) continue;
    for (const r of excludes[i]!.ranges) {
      if (r.wraps) spans.push([r.begin, DAY_MS], [0, r.end]);
      else spans.push([r.begin, r.end]);
    }
  }
  return spans.sort((a, b) => a[0] - b[0]);
}

/** True when every range's times of day (both ends included) lie inside the spans. */
function rangesCovered(ranges: readonly TimeRange[], spans: readonly [number, number][]): boolean {
  for (const r of ranges) {
    const parts: [number, number][] = r.wraps ? [[0, r.end], [r.begin, DAY_MS - 1]] : [[r.begin, r.end]];
    for (const [a, b] of parts) if (!inside(a, b, spans)) return false;
  }
  return true;
}

function inside(a: number, b: number, spans: readonly [number, number][]): boolean {
  let reach = a;
  for (const [s, e] of spans) {
    if (s > reach) break;
    if (e > reach) reach = e;
    if (reach > b) return true;
  }
  return reach > b;
}
