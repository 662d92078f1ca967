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
  first(q: WallQuery): WallHit | null;
  /** Set once the rule knows it has no occurrence at all after the last query's lo. */
  readonly exhausted: boolean;
}

export interface Found {
  readonly at: number;
  readonly hit: WallHit;
  readonly seg: Segment;
  /** The hit's wall time did not exist: `at` is the end of the gap. */
  readonly inGap: boolean;
}

/** Bound on segments visited by one search (about 3 per year with DST). */
const MAX_SEGMENTS = 4000;

/** First instant >= from (and <= limit) that the rule allows, under the DST rule. */
export function findNext(zone: Zone, search: WallSearch, from: number, limit: number): Found | null {
  let t = from;
  for (let i = 0; i < MAX_SEGMENTS && t <= limit; i++) {
    const seg = zone.segmentAt(t);
    if (t === seg.start && seg.prevOffset < seg.offset) {
      const hit = search.first(gapQuery(seg));
      if (hit !== null) return { at: seg.start, hit, seg, inGap: true };
    }
    const secondPassUntil = seg.prevOffset > seg.offset ? seg.start + seg.prevOffset : -Infinity;
    const q: WallQuery = { lo: t + seg.offset, hi: seg.end + seg.offset, offset: seg.offset, secondPassUntil, gapOnly: false };
    const hit = search.first(q);
    if (hit !== null) return { at: hit.wall - seg.offset, hit, seg, inGap: false };
    if (search.exhausted || seg.end === Infinity) return null;
    t = seg.end;
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
