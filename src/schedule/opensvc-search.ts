import type { Element, Program, TimeRange } from "./ast.js";
import { DAY_MS } from "./calendar.js";
import { CYCLE_DAYS } from "./cycle.js";
import type { WallHit, WallQuery, WallSearch } from "./dst.js";
import { dayVerdict, exclusionRelease, nextCandidateDay, firstInRange, windowStart } from "./opensvc-match.js";
import { elementCanRun, knownNever } from "./opensvc-never.js";
import { splayTarget } from "./splay.js";

/**
 * The OpenSVC rule as a wall-clock search (spec §4.4, om3 semantics with the design §6 rulings):
 * the earliest wall time that some include element allows, that no exclusion covers, and that
 * respects `last + interval`. Wildcard windows count intervals in real elapsed time; fixed
 * (once-per-range) windows count them on the wall clock, so a repeated hour cannot give a
 * second run. Later days are entered at 00:00:00.
 *
 * No horizon: an element whose walk finds nothing within a year is asked once whether it
 * can ever run (opensvc-never.ts, decided exactly and remembered); one that can run has a hit
 * within one 400-year cycle, and the walk there skips refused months, weeks and days.
 */
export interface SearchContext {
  /** Last scheduled run (instant) or null. */
  readonly last: number | null;
  /** Its wall time in the schedule's zone. */
  readonly lastWall: number;
  /** Key for `~` windows, or null to ignore the probabilistic delay (check()). */
  readonly splayKey: string | null;
}

interface DayHit {
  readonly wall: number;
  readonly range: TimeRange;
}

/** A walk this long without a hit asks whether the element can run at all (cheap walks need not). */
const PROBE_MS = 366 * DAY_MS;
/** Past one cycle and a year of walls, an element that can run has run: a hard stop. */
const GIVE_UP_MS = (CYCLE_DAYS + 366) * DAY_MS;

export class OpensvcSearch implements WallSearch {
  constructor(
    private readonly program: Program,
    private readonly ctx: SearchContext,
  ) {}

  first(q: WallQuery): WallHit | null {
    let best: DayHit | null = null;
    let hi = q.hi;
    for (const el of this.program.includes) {
      const h = this.firstInElement(el, q, hi);
      if (h !== null) {
        best = h;
        hi = h.wall;
      }
    }
    return best === null ? null : { wall: best.wall, fixed: best.range.fixed };
  }

  private firstInElement(el: Element, q: WallQuery, hi: number): DayHit | null {
    if (knownNever(el)) return null;
    const start = this.elementStart(el, q);
    let probed = false;
    for (let w = start; w < hi; ) {
      if (!probed && w - start > PROBE_MS) {
        if (!elementCanRun(el, this.program.excludes)) return null;
        probed = true;
      }
      if (w - start > GIVE_UP_MS) return null;
      const day = Math.floor(w / DAY_MS);
      const verdict = dayVerdict(el, day);
      const c = verdict === "ok" ? this.firstInDay(el, day * DAY_MS, w, q) : null;
      if (c !== null) return c.wall < hi ? c : null;
      w = nextCandidateDay(el, day, verdict) * DAY_MS;
    }
    return null;
  }

  /** No range of the element allows a wall before the lowest of their lower bounds. */
  private elementStart(el: Element, q: WallQuery): number {
    let start = Infinity;
    for (const r of el.ranges) {
      if (q.gapOnly && !r.fixed) continue;
      const lb = this.lowerBound(r, q.lo, q);
      if (lb < start) start = lb;
    }
    return start === Infinity ? q.lo : start;
  }

  /**
   * Earliest run on the day starting at ds, from w, over all ranges: each range counts at its
   * first wall that no exclusion covers, a `~` window at its splayed time, so a `~` window
   * never postpones nor hides what another range allows (design §6).
   */
  private firstInDay(el: Element, ds: number, w: number, q: WallQuery): DayHit | null {
    let best: DayHit | null = null;
    for (const r of el.ranges) {
      if (q.gapOnly && !r.fixed) continue;
      const c = this.firstInRangeAllowed(r, ds, this.lowerBound(r, w, q));
      if (c < 0) continue;
      const at = this.splay(el, r, ds, c);
      if (best === null || at < best.wall) best = { wall: at, range: r };
    }
    return best;
  }

  /** First wall >= lb of range r on day ds that no exclusion covers, or -1. */
  private firstInRangeAllowed(r: TimeRange, ds: number, lb: number): number {
    for (let from = lb; ; ) {
      const c = firstInRange(r, ds, from);
      if (c < 0) return -1;
      const release = exclusionRelease(this.program.excludes, c);
      if (release < 0) return c;
      from = release;
    }
  }

  private lowerBound(r: TimeRange, w: number, q: WallQuery): number {
    let lb = w;
    const { last, lastWall } = this.ctx;
    if (last !== null) {
      const b = r.fixed ? lastWall + r.interval : last + r.interval + q.offset;
      if (b > lb) lb = b;
    }
    if (r.fixed && lb < q.secondPassUntil) lb = q.secondPassUntil;
    return lb;
  }

  /**
   * A hit in a `~` window moves to the window's deterministic target when that is still
   * ahead. A target the element's calendar refuses (a window running past midnight into a day
   * it does not allow) or an exclusion covers falls back to the hit.
   */
  private splay(el: Element, r: TimeRange, ds: number, c: number): number {
    const key = this.ctx.splayKey;
    if (key === null || !r.probabilistic) return c;
    const target = splayTarget(key, windowStart(r, ds, c), r.length);
    if (target <= c) return c;
    const allowed = dayVerdict(el, Math.floor(target / DAY_MS)) === "ok" && exclusionRelease(this.program.excludes, target) < 0;
    return allowed ? target : c;
  }
}
