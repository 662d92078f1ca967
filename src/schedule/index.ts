/**
 * The schedule engine: one parser, two syntaxes (cron through croner, and the OpenSVC
 * grammar), one pure API. Nothing here reads the clock or does I/O.
 */
import { bindSchedule, compileExpression, type Compiled } from "./factory.js";
import type { Schedule, ScheduleOptions } from "./types.js";

export { ScheduleSyntaxError } from "./errors.js";
export { lintSchedule } from "./lint.js";
export type { CheckResult, DstNote, PlannedRun, Schedule, ScheduleKind, ScheduleOptions, ScheduleWarning } from "./types.js";

let hostZone: string | undefined;

/** The host's zone, read once. */
export function hostTimezone(): string {
  hostZone ??= Intl.DateTimeFormat().resolvedOptions().timeZone;
  return hostZone;
}

/** Compiled expressions are immutable and zone-free, so they are shared; the cache is bounded. */
const cache = new Map<string, Compiled>();
const CACHE_MAX = 1024;

/**
 * Parses a schedule. Throws ScheduleSyntaxError (exit 2) for a bad expression or time zone.
 * @param expr cron (5–7 fields or @daily-style macro), OpenSVC grammar, or a JSON list of OpenSVC elements
 */
export function parseSchedule(expr: string, opts?: ScheduleOptions): Schedule {
  let compiled = cache.get(expr);
  if (compiled === undefined) {
    compiled = compileExpression(expr);
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(expr, compiled);
  }
  return bindSchedule(expr, compiled, opts?.timezone ?? hostTimezone(), opts?.splayKey ?? "");
}
