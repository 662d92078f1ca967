import { DAY_MS } from "./calendar.js";
import { CYCLE_DAYS } from "./cycle.js";
import type { Segment, Zone } from "./zone.js";

/**
 * Turns a wall-clock rule into instants under svcmgr's DST rule (spec/dst.md):
 * - fixed-time occurrences whose wall time falls in a spring-forward gap run once, at the
 *   first instant after the gap (several coalesce into that one run);
 * - fixed-time occurrences in a repeated hour run on the first pass only;
 * - wildcard occurrences skip the gap and run on both passes.
 *
 * The walk goes forward through constant-offset segments. Within a segment wall = instant +
 * offset is monotonic, so the earliest wall hit is the earliest instant.
 */

/** One question to a wall-clock rule: its earliest allowed wall time in [lo, hi). */
export interface WallQuery {
  readonly lo: number;
  readonly hi: number;
  /** Offset of the segment being searched (instant = wall - offset). */
  readonly offset: number;
  /** Fixed-time hits with wall < this are second-pass repeats and must be skipped. */
  readonly secondPassUntil: number;
  /** Searching the walls swallowed by a gap: only fixed-time hits count. */
  readonly gapOnly: boolean;
}

export interface WallHit {
  readonly wall: number;
  readonly fixed: boolean;
}

export interface WallSearch {
  /** The earliest allowed wall in [q.lo, q.hi); q.hi may be Infinity. Null: none. */
  first(q: WallQuery): WallHit | null;
}

export interface Found {
  readonly at: number;
  readonly hit: WallHit;
  readonly seg: Segment;
  /** The hit's wall time did not exist: `at` is the end of the gap. */
  readonly inGap: boolean;
}

/** Offsets of one zone differ by less than this (a whole skipped day is the extreme case). */
const OFFSET_SPREAD_MS = 2 * DAY_MS;
/** A rule with a wall hit has an instant hit within one 400-year cycle and a year: a hard stop. */
const GIVE_UP_MS = (CYCLE_DAYS + 366) * DAY_MS;
/** Bound on segments visited by one search (about 3 per year with DST). */
const MAX_SEGMENTS = 4000;

/**
 * First instant >= from that the rule allows, under the DST rule; null when there is none.
 * No horizon: after a segment without a hit, the rule is asked for its first wall anywhere
 * ahead, and the walk jumps to the segment that may hold it, so a rare or far answer costs a
 * few segments, and "never" comes from the rule itself.
 */
export function findNext(zone: Zone, search: WallSearch, from: number): Found | null {
  let t = from;
  for (let i = 0; i < MAX_SEGMENTS && t - from <= GIVE_UP_MS; i++) {
    const seg = zone.segmentAt(t);
    if (t === seg.start && seg.prevOffset < seg.offset) {
      const hit = search.first(gapQuery(seg));
      if (hit !== null) return { at: seg.start, hit, seg, inGap: true };
    }
    const secondPassUntil = seg.prevOffset > seg.offset ? seg.start + seg.prevOffset : -Infinity;
    const q: WallQuery = { lo: t + seg.offset, hi: seg.end + seg.offset, offset: seg.offset, secondPassUntil, gapOnly: false };
    const hit = search.first(q);
    if (hit !== null) return { at: hit.wall - seg.offset, hit, seg, inGap: false };
    if (seg.end === Infinity) return null;
    // Walls before `ahead` are refused whatever their offset: every instant whose wall lies
    // in [lo, ahead) is skipped, gap and repeated walls included.
    const lo = seg.end + seg.offset - OFFSET_SPREAD_MS;
    const ahead = search.first({ lo, hi: Infinity, offset: seg.offset, secondPassUntil: -Infinity, gapOnly: false });
    if (ahead === null) return null;
    t = Math.max(seg.end, ahead.wall - seg.offset - OFFSET_SPREAD_MS);
  }
  return null;
}

/** The walls a spring-forward gap at seg.start swallowed. */
export function gapQuery(seg: Segment, lo = seg.start + seg.prevOffset): WallQuery {
  return { lo, hi: seg.start + seg.offset, offset: seg.prevOffset, secondPassUntil: -Infinity, gapOnly: true };
}

/** True when a fixed-time hit sits in the first pass of walls that will repeat after seg.end. */
export function isFirstPassOfRepeat(zone: Zone, found: Found): boolean {
  const { seg, hit } = found;
  if (found.inGap || !hit.fixed || seg.end === Infinity) return false;
  const nextOffset = zone.offsetAt(seg.end);
  return nextOffset < seg.offset && hit.wall >= seg.end + nextOffset;
}
