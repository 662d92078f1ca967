import { compileCron, looksLikeCron } from "./cron.js";
import { parseOpensvc } from "./grammar.js";
import { resolveZone } from "./resolve-zone.js";
import { dayTrapWarnings } from "./lint-days.js";
import { cronProbe, dstWarnings, opensvcProbe } from "./lint-dst.js";
import type { ScheduleWarning } from "./types.js";

/** Default start of the DST look-ahead when the caller gives none (the engine never reads the clock). */
export const LINT_REFERENCE = Date.UTC(2025, 0, 1);
const LOOK_AHEAD_YEARS = 10;

/**
 * Traps in a valid expression, for `validate config` warnings:
 * `dow:dom` items that probably meant "n-th/last weekday", and fixed times that meet a DST
 * gap or repeated hour of `timezone` within 10 years of `from`.
 * Throws ScheduleSyntaxError for an invalid expression, like parseSchedule.
 */
export function lintSchedule(expr: string, timezone: string, from?: Date): ScheduleWarning[] {
  const zone = resolveZone(expr, timezone);
  const start = from?.getTime() ?? LINT_REFERENCE;
  if (looksLikeCron(expr)) return dstWarnings(expr, zone, cronProbe(compileCron(expr)), start, LOOK_AHEAD_YEARS);
  const program = parseOpensvc(expr);
  const days = [...program.includes, ...program.excludes].flatMap(dayTrapWarnings);
  return [...days, ...dstWarnings(expr, zone, opensvcProbe(program), start, LOOK_AHEAD_YEARS)];
}
