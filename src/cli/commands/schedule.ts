import { UsageError } from "../../core/errors.js";
import type { App } from "../../app.js";
import { FORMAT_OPTION, type CliCommand, type OptionSpec, type ParsedArgs } from "../command.js";
import { parseSchedule } from "../../schedule/index.js";
import { parseIsoTime } from "../../schedule/iso.js";
import { renderCheck, renderNext, type PreviewHeader } from "../../schedule/preview.js";
import { resolveZone } from "../../schedule/resolve-zone.js";
import type { Schedule } from "../../schedule/types.js";
import type { Zone } from "../../schedule/zone.js";

/**
 * `svcmgr schedule next EXPR` and `svcmgr schedule check EXPR`: preview a schedule
 * expression without any service. Both syntaxes: cron (5-7 fields or @daily-style macros)
 * and OpenSVC (`02:00-04:00@30 mon-fri`, `["@1h", "! 12:00-14:00"]`).
 */

const TIME_HELP = "ISO 8601; with Z or an offset it is exact, without it is wall time in --timezone";

const COMMON: Readonly<Record<string, OptionSpec>> = {
  now: { type: "string", describe: `Evaluate at this time (default: now). ${TIME_HELP}` },
  last: { type: "string", describe: `The last scheduled run (default: none). ${TIME_HELP}` },
  timezone: { type: "string", describe: "IANA zone the schedule is evaluated in (default: the host's)" },
  format: FORMAT_OPTION,
};

const EXPRESSION = { name: "expression", describe: "Schedule expression (quote it)", required: true } as const;

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

function parseCount(value: unknown): number {
  const n = Number(value ?? 5);
  if (!Number.isInteger(n) || n < 1 || n > 10_000) throw new UsageError(`--count must be a whole number from 1 to 10000, got ${String(value)}`);
  return n;
}

export const scheduleNextCommand: CliCommand = {
  words: ["schedule", "next"],
  describe: "Show the next runs of a schedule expression, with DST moves marked",
  positionals: [EXPRESSION],
  options: { ...COMMON, count: { type: "number", describe: "How many runs", default: 5 } },
  examples: [
    ["svcmgr schedule next '02:00-04:00@30 mon-fri'", "OpenSVC: every 30 min between 02:00 and 04:00 on weekdays"],
    ["svcmgr schedule next '~00:00-06:00 sat' --count 3", "OpenSVC: once per window, start spread over the night"],
    [`svcmgr schedule next '["@1h", "! 12:00-14:00"]'`, "OpenSVC JSON list: hourly, never at lunch time"],
    ["svcmgr schedule next '30 2 * * *' --timezone Europe/Paris --now 2025-03-29T12:00", "cron: the DST gap moves the 30 March run to 03:00"],
    ["svcmgr schedule next '0 0 * * 5L' --format json", "cron: the last Friday of each month, as JSON"],
  ],
  run(args, app) {
    const { schedule, header, format } = inputs(args, app);
    const runs = schedule.explainRuns(new Date(header.now), parseCount(args.count), header.last === null ? null : new Date(header.last));
    app.stdout.write(renderNext(header, runs, format));
    return 0;
  },
};

export const scheduleCheckCommand: CliCommand = {
  words: ["schedule", "check"],
  describe: "May a run start at --now? Exit 0 when allowed, 1 when not (with the reason)",
  positionals: [EXPRESSION],
  options: COMMON,
  examples: [
    ["svcmgr schedule check '09:00-18:00@1h mon-fri' --now 2025-06-02T10:15 --last 2025-06-02T09:30", "too soon: 45 min after the last run"],
    ["svcmgr schedule check '*/15 * * * *' --now 2025-06-02T10:15:00Z", "cron: 10:15 is a run time"],
  ],
  run(args, app) {
    const { schedule, header, format } = inputs(args, app);
    const result = schedule.check(new Date(header.now), header.last === null ? null : new Date(header.last));
    app.stdout.write(renderCheck(header, result, format));
    return result.allowed ? 0 : 1;
  },
};

/** Both subcommands, to register together. */
export const scheduleCommands: readonly CliCommand[] = [scheduleNextCommand, scheduleCheckCommand];
