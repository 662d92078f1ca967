import { Cron } from "croner";
import { DAY_MS, yearStart } from "./calendar.js";
import { CYCLE_DAYS } from "./cycle.js";
import type { WallHit, WallQuery, WallSearch } from "./dst.js";
import { ScheduleSyntaxError } from "./errors.js";

/**
 * Cron syntax through croner 11, evaluated on the wall clock: croner runs with a zero UTC
 * offset over wall ms, and dst.ts maps its answers to instants under svcmgr's DST rule
 * (croner's own DST handling is bypassed). Vixie semantics: day-of-month OR day-of-week when
 * both are restricted, 0 and 7 = Sunday, L, W, #; 6 fields = seconds first, 7 = years last.
 */

const MACROS = new Set(["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]);

/** 5–7 whitespace-separated fields, or a macro: the expression is cron. */
export function looksLikeCron(expression: string): boolean {
  const t = expression.trim();
  // cron has no `!`: a leading one is an OpenSVC exclusion, however many fields follow.
  if (t.startsWith("[") || t.startsWith('"') || t.startsWith("!")) return false;
  if (MACROS.has(t.toLowerCase()) || t.toLowerCase() === "@reboot") return true;
  const n = t.split(/\s+/).length;
  return n >= 5 && n <= 7;
}

/**
 * Fixed-time (cronie's rule): neither the minute nor the hour field starts with `*` (or `?`).
 * Of the macros only @hourly is a wildcard schedule.
 */
export function isFixedTime(expression: string): boolean {
  const t = expression.trim().toLowerCase();
  if (t.startsWith("@")) return t !== "@hourly";
  const f = t.split(/\s+/);
  const [minute, hour] = f.length === 5 ? [f[0]!, f[1]!] : [f[1]!, f[2]!];
  return !/^[*?]/.test(minute) && !/^[*?]/.test(hour);
}

export interface CronRule {
  readonly cron: Cron;
  readonly fixed: boolean;
  /** No `*` year field: croner searches the years listed, up to 9999. */
  readonly starYear: boolean;
  /** Walls from which croner found nothing (learned, shared by every use of the rule). */
  readonly memo: { neverFrom: number };
}

export function compileCron(expression: string): CronRule {
  const pattern = expression.trim();
  try {
    const cron = new Cron(pattern, { utcOffset: 0, domAndDow: false, mode: "auto" });
    const starYear = shareYearTable(cron);
    return { cron, fixed: isFixedTime(pattern), starYear, memo: { neverFrom: Infinity } };
  } catch (e) {
    const why = e instanceof Error ? e.message.replace(/^Cron(Pattern|Options)?:\s*/, "") : String(e);
    throw new ScheduleSyntaxError(expression, `not a valid cron expression: ${why}`, { cause: e });
  }
}

/** Every year allowed: the table croner builds for a `*` year field. */
const ALL_YEARS: readonly number[] = Object.freeze(new Array<number>(10_000).fill(1));

/**
 * croner 11 gives each pattern its own 10,000-entry year table (about 80 KiB): with ten
 * thousand tasks that is most of the daemon's memory. For a `*` year field the table is all
 * ones and only read after parsing, so every such pattern shares one frozen copy (a write
 * would throw rather than corrupt the others).
 */
function shareYearTable(cron: Cron): boolean {
  const pattern = (cron as unknown as { _states?: { pattern?: { starYear?: boolean; year?: readonly number[] } } })._states?.pattern;
  if (pattern?.starYear === true && pattern.year?.length === ALL_YEARS.length) pattern.year = ALL_YEARS;
  return pattern?.starYear === true;
}

/**
 * croner searches 400 years ahead for a `*` year field, which decides "never" exactly (the
 * calendar repeats every 400 years), but answers nothing from the year 3000 on. Such a rule
 * asked about a later wall is asked the same wall whole cycles earlier, then shifted back.
 */
const CYCLE_MS = CYCLE_DAYS * DAY_MS;
const SHIFT_FROM = yearStart(2500);

/** First cron wall time >= lo, or null when there is none at all. */
export function cronWallFrom(rule: CronRule, lo: number): number | null {
  if (lo >= rule.memo.neverFrom) return null;
  const shift = rule.starYear && lo >= SHIFT_FROM ? Math.ceil((lo - SHIFT_FROM) / CYCLE_MS) * CYCLE_MS : 0;
  const r = rule.cron.nextRun(new Date(lo - shift - 1));
  if (r === null) {
    // Nothing within a whole cycle means never, from anywhere; for listed years, from here on.
    rule.memo.neverFrom = rule.starYear ? -Infinity : Math.min(rule.memo.neverFrom, lo);
    return null;
  }
  return r.getTime() + shift;
}

/** The rule as a wall search for dst.ts. */
export class CronSearch implements WallSearch {
  constructor(private readonly rule: CronRule) {}

  first(q: WallQuery): WallHit | null {
    const fixed = this.rule.fixed;
    if (q.gapOnly && !fixed) return null;
    const lo = fixed && q.lo < q.secondPassUntil ? q.secondPassUntil : q.lo;
    const w = cronWallFrom(this.rule, lo);
    return w !== null && w < q.hi ? { wall: w, fixed } : null;
  }
}
