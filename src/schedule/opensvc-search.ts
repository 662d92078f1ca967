import type { Element, Program, TimeRange } from "./ast.js";
import { DAY_MS } from "./calendar.js";
import type { WallHit, WallQuery, WallSearch } from "./dst.js";
import { dayVerdict, exclusionRelease, nextCandidateDay, firstInRange, windowStart } from "./opensvc-match.js";
import { splayTarget } from "./splay.js";

/**
 * The OpenSVC rule as a wall-clock search (spec §4.4, om3 semantics with the design §6 rulings):
 * the earliest wall time that some include element allows, that no exclusion covers, and that
 * respects `last + interval`. Wildcard windows count intervals in real elapsed time; fixed
 * (once-per-range) windows count them on the wall clock, so a repeated hour cannot give a
 * second run. Later days are entered at 00:00:00.
 */
export interface SearchContext {
  /** Last scheduled run (instant) or null. */
  readonly last: number | null;
  /** Its wall time in the schedule's zone. */
  readonly lastWall: number;
  /** Key for `~` windows, or null to ignore the probabilistic delay (check()). */
  readonly splayKey: string | null;
  /** No wall time at or past this is considered (om3 walks this year and next). */
  readonly limitWall: number;
}

interface DayHit {
  readonly wall: number;
  readonly range: TimeRange;
}

export class OpensvcSearch implements WallSearch {
  readonly exhausted = false;
  constructor(
    private readonly program: Program,
    private readonly ctx: SearchContext,
  ) {}

  first(q: WallQuery): WallHit | null {
    let best: DayHit | null = null;
    let hi = Math.min(q.hi, this.ctx.limitWall);
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
    let w = q.lo;
    while (w < hi) {
      const day = Math.floor(w / DAY_MS);
      const verdict = dayVerdict(el, day);
      const c = verdict === "ok" ? this.firstInDay(el, day * DAY_MS, w, hi, q) : null;
      if (c === null) {
        w = nextCandidateDay(el, day, verdict) * DAY_MS;
        continue;
      }
      const release = exclusionRelease(this.program.excludes, c.wall);
      if (release < 0) return this.splay(el, c, hi);
      w = release;
    }
    return null;
  }

  /** Earliest allowed wall on the day starting at ds, from w, below hi, over all ranges. */
  private firstInDay(el: Element, ds: number, w: number, hi: number, q: WallQuery): DayHit | null {
    let best: DayHit | null = null;
    for (const r of el.ranges) {
      if (q.gapOnly && !r.fixed) continue;
      const c = firstInRange(r, ds, this.lowerBound(r, w, q));
      if (c >= 0 && c < hi && (best === null || c < best.wall)) best = { wall: c, range: r };
    }
    return best;
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
   * Moves a hit in a `~` window to the window's deterministic target when it is still ahead.
   * A target past `hi` belongs to a later search (null). A target the element's calendar
   * refuses (a window running past midnight into a day it does not allow) or an exclusion
   * covers falls back to the hit.
   */
  private splay(el: Element, c: DayHit, hi: number): DayHit | null {
    const key = this.ctx.splayKey;
    if (key === null || !c.range.probabilistic) return c;
    const ds = Math.floor(c.wall / DAY_MS) * DAY_MS;
    const target = splayTarget(key, windowStart(c.range, ds, c.wall), c.range.length);
    if (target <= c.wall) return c;
    if (target >= hi) return null;
    const allowed = dayVerdict(el, Math.floor(target / DAY_MS)) === "ok" && exclusionRelease(this.program.excludes, target) < 0;
    return allowed ? { wall: target, range: c.range } : c;
  }
}
