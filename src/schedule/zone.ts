import { DAY_MS, yearOf, yearStart } from "./calendar.js";

/**
 * Wall-clock maths for one IANA zone, fast enough for the scheduler's hot path.
 *
 * The zone's offset history is sampled once per UTC year (daily samples through
 * Intl.DateTimeFormat, then a binary search down to the second for each change) and cached
 * for the life of the process. After that, offsetAt() is a table lookup.
 * Assumption: a zone never changes its offset twice within 24 hours.
 */

/** A stretch of time with one UTC offset: instants [start, end) have wall = instant + offset. */
export interface Segment {
  readonly start: number;
  readonly end: number;
  readonly offset: number;
  /** Offset just before `start`: greater → a spring-forward gap opens at start; smaller → repeated walls. */
  readonly prevOffset: number;
}

interface YearTable {
  /** bounds[0] = year start, bounds[last] = next year start; offsets[i] holds on [bounds[i], bounds[i+1]). */
  readonly bounds: number[];
  readonly offsets: number[];
  /** Offset in force just before the year starts. */
  readonly before: number;
}

const FIXED_UTC = new Set(["UTC", "Etc/UTC", "Etc/GMT", "GMT", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu", "Etc/UCT", "UCT"]);
const zones = new Map<string, Zone>();

export class Zone {
  readonly name: string;
  private readonly fmt: Intl.DateTimeFormat | null;
  private readonly years = new Map<number, YearTable>();
  private current: YearTable | null = null;

  private constructor(name: string) {
    this.name = name;
    this.fmt = FIXED_UTC.has(name) ? null : createFormatter(name);
  }

  /** The shared instance for an IANA name; throws RangeError for an unknown zone. */
  static get(name: string): Zone {
    let z = zones.get(name);
    if (z === undefined) {
      z = new Zone(name);
      zones.set(name, z);
    }
    return z;
  }

  /** True when the zone never changes offset (UTC and its aliases). */
  get isFixed(): boolean {
    return this.fmt === null;
  }

  /** UTC offset in ms at an instant. */
  offsetAt(t: number): number {
    if (this.fmt === null) return 0;
    const y = this.tableFor(t);
    const b = y.bounds;
    let i = b.length - 2;
    while (i > 0 && b[i]! > t) i--;
    return y.offsets[i]!;
  }

  /** Wall ms (local fields read as UTC) of an instant. */
  wallOf(t: number): number {
    return t + this.offsetAt(t);
  }

  /** The constant-offset stretch holding instant t. */
  segmentAt(t: number): Segment {
    if (this.fmt === null) return { start: -Infinity, end: Infinity, offset: 0, prevOffset: 0 };
    const y = this.tableFor(t);
    const b = y.bounds;
    let i = b.length - 2;
    while (i > 0 && b[i]! > t) i--;
    const prevOffset = i === 0 ? y.before : y.offsets[i - 1]!;
    return { start: b[i]!, end: b[i + 1]!, offset: y.offsets[i]!, prevOffset };
  }

  /**
   * Instants whose wall time is `wall`, earliest first: none in a spring-forward gap,
   * two in a repeated hour, else one.
   */
  instantsOf(wall: number): number[] {
    const candidates = new Set([this.offsetAt(wall - DAY_MS), this.offsetAt(wall), this.offsetAt(wall + DAY_MS)]);
    const out: number[] = [];
    for (const off of candidates) {
      const t = wall - off;
      if (this.offsetAt(t) === off && !out.includes(t)) out.push(t);
    }
    return out.sort((a, b) => a - b);
  }

  /** Offset changes with their instants, within [from, to). */
  transitions(from: number, to: number): { at: number; before: number; after: number }[] {
    const out: { at: number; before: number; after: number }[] = [];
    for (let y = yearOf(from); y <= yearOf(to); y++) {
      const table = this.table(y);
      for (let i = 0; i < table.bounds.length - 1; i++) {
        const at = table.bounds[i]!;
        const before = i === 0 ? table.before : table.offsets[i - 1]!;
        const after = table.offsets[i]!;
        if (before !== after && at >= from && at < to) out.push({ at, before, after });
      }
    }
    return out;
  }

  private tableFor(t: number): YearTable {
    const c = this.current;
    if (c !== null && t >= c.bounds[0]! && t < c.bounds[c.bounds.length - 1]!) return c;
    const table = this.table(yearOf(t));
    this.current = table;
    return table;
  }

  private table(year: number): YearTable {
    let table = this.years.get(year);
    if (table === undefined) {
      table = buildYear(year, (t) => this.rawOffset(t));
      this.years.set(year, table);
    }
    return table;
  }

  /** Offset through Intl, whole seconds. Cold path: used only to build the year tables. */
  private rawOffset(t: number): number {
    const fmt = this.fmt;
    if (fmt === null) return 0;
    const secs = Math.floor(t / 1000) * 1000;
    const f: Record<string, number> = {};
    let bc = false;
    for (const p of fmt.formatToParts(new Date(secs))) {
      if (p.type === "era") bc = p.value === "BC" || p.value === "B";
      else if (p.type !== "literal") f[p.type] = Number(p.value);
    }
    const shifted = new Date(Date.UTC(2000, f.month! - 1, f.day!, f.hour! % 24, f.minute!, f.second!));
    shifted.setUTCFullYear(bc ? 1 - f.year! : f.year!);
    return shifted.getTime() - secs;
  }
}

function createFormatter(name: string): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat("en-US", {
    timeZone: name,
    hourCycle: "h23",
    era: "short",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  });
}

/** Samples one UTC year daily and pins every offset change to the second. */
function buildYear(year: number, raw: (t: number) => number): YearTable {
  const start = yearStart(year);
  const end = yearStart(year + 1);
  const before = raw(start - 1000);
  const bounds = [start];
  const offsets = [raw(start)];
  let prevT = start;
  let prevOff = offsets[0]!;
  for (let t = start + DAY_MS; ; t += DAY_MS) {
    const at = Math.min(t, end - 1000);
    const off = raw(at);
    if (off !== prevOff) {
      bounds.push(findChange(prevT, at, prevOff, raw));
      offsets.push(off);
      prevOff = off;
    }
    prevT = at;
    if (at >= end - 1000) break;
  }
  bounds.push(end);
  return { bounds, offsets, before };
}

/** First whole second in (lo, hi] whose offset differs from `off` (lo has `off`, hi has not). */
function findChange(lo: number, hi: number, off: number, raw: (t: number) => number): number {
  let a = lo / 1000;
  let b = hi / 1000;
  while (b - a > 1) {
    const mid = Math.floor((a + b) / 2);
    if (raw(mid * 1000) === off) a = mid;
    else b = mid;
  }
  return b * 1000;
}
