import { UsageError } from "../../core/errors.js";
import type { App } from "../../service/app.js";
import type { ParsedArgs } from "../command.js";
import { parseSchedule } from "../../schedule/index.js";
import { parseIsoTime } from "../../schedule/iso.js";
import { renderCheck, renderNext, type PreviewHeader } from "../../schedule/preview.js";
import { resolveZone } from "../../schedule/resolve-zone.js";
import type { Schedule } from "../../schedule/types.js";
import type { Zone } from "../../schedule/zone.js";

/** The work behind `svcmgr schedule next|check` (schedule.ts declares the commands). */

interface Inputs {
  readonly schedule: Schedule;
  readonly header: PreviewHeader;
  readonly format: "text" | "json";
}

function inputs(args: ParsedArgs, app: App): Inputs {
  const expression = String(args.expression ?? "");
  const timezone = typeof args.timezone === "string" && args.timezone !== "" ? args.timezone : app.timezone;
  const zone = resolveZone(expression, timezone);
  const schedule = parseSchedule(expression, { timezone });
  const now = args.now === undefined ? app.clock.now() : parseTime("--now", args.now, zone);
  const last = args.last === undefined ? null : parseTime("--last", args.last, zone);
  const format = args.format === "json" ? "json" : "text";
  return { schedule, format, header: { expression, kind: schedule.kind, zone, now, last } };
}

/** ISO 8601 → instant; a naive time is wall time in the zone (the first one if it repeats). */
export function parseTime(flag: string, value: unknown, zone: Zone): number {
  const text = String(value);
  const p = parseIsoTime(text);
  if (p === null) throw new UsageError(`${flag} "${text}" is not an ISO 8601 time (e.g. 2025-03-30T02:30:00+01:00, 2025-03-30T02:30:00Z or 2025-03-30T02:30)`);
  if (p.kind === "instant") return p.at;
  const at = zone.instantsOf(p.wall)[0];
  if (at === undefined) throw new UsageError(`${flag} "${text}" does not exist in ${zone.name} (the clocks skip it: DST gap); give an offset`);
  return at;
}

export function runNext(args: ParsedArgs, app: App): number {
  const { schedule, header, format } = inputs(args, app);
  const runs = schedule.explainRuns(new Date(header.now), Number(args.count), header.last === null ? null : new Date(header.last));
  app.stdout.write(renderNext(header, runs, format));
  return 0;
}

export function runCheck(args: ParsedArgs, app: App): number {
  const { schedule, header, format } = inputs(args, app);
  const result = schedule.check(new Date(header.now), header.last === null ? null : new Date(header.last));
  app.stdout.write(renderCheck(header, result, format));
  return result.allowed ? 0 : 1;
}
