/**
 * The schedule engine: one parser, two syntaxes (cron through croner, and the OpenSVC
 * grammar), one pure API. Nothing here reads the clock or does I/O.
 */
import { compileCron, looksLikeCron } from "./cron.js";
import { ScheduleSyntaxError } from "./errors.js";
import { parseOpensvc } from "./grammar.js";
import { CronSchedule, NoSchedule, OpensvcSchedule } from "./schedule.js";
import type { Schedule, ScheduleOptions } from "./types.js";
import { resolveZone } from "./resolve-zone.js";
import type { Zone } from "./zone.js";

export { ScheduleSyntaxError } from "./errors.js";
export { lintSchedule } from "./lint.js";
export type { CheckResult, DstNote, PlannedRun, Schedule, ScheduleKind, ScheduleOptions, ScheduleWarning } from "./types.js";

let hostZone: string | undefined;

/** The host's zone, read once. */
export function hostTimezone(): string {
  hostZone ??= Intl.DateTimeFormat().resolvedOptions().timeZone;
  return hostZone;
}

/** Parsed schedules are immutable, so they are shared; the cache is bounded. */
const cache = new Map<string, Schedule>();
const CACHE_MAX = 4096;

/**
 * Parses a schedule. Throws ScheduleSyntaxError (exit 2) for a bad expression or time zone.
 * @param expr cron (5–7 fields or @daily-style macro), OpenSVC grammar, or a JSON list of OpenSVC elements
 */
export function parseSchedule(expr: string, opts?: ScheduleOptions): Schedule {
  const timezone = opts?.timezone ?? hostTimezone();
  const splayKey = opts?.splayKey ?? "";
  const key = `${timezone}\u0000${splayKey}\u0000${expr}`;
  let s = cache.get(key);
  if (s === undefined) {
    s = build(expr, resolveZone(expr, timezone), splayKey);
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(key, s);
  }
  return s;
}

function build(expr: string, zone: Zone, splayKey: string): Schedule {
  if (typeof expr !== "string") throw new ScheduleSyntaxError(String(expr), "a schedule must be a string");
  if (looksLikeCron(expr)) return new CronSchedule(expr, zone, compileCron(expr));
  const program = parseOpensvc(expr);
  if (program.includes.length === 0 && program.excludes.length === 0) return new NoSchedule(expr, zone.name);
  return new OpensvcSchedule(expr, zone, program, splayKey);
}
