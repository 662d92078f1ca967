import { FORMAT_OPTION, type CliCommand, type OptionSpec } from "../command.js";

/**
 * `svcmgr schedule next EXPR` and `svcmgr schedule check EXPR`: preview a schedule
 * expression without any service. Both syntaxes: cron (5-7 fields or @daily-style macros)
 * and OpenSVC (`02:00-04:00@30 mon-fri`, `["@1h", "! 12:00-14:00"]`). The engine is loaded
 * only when one of them runs (schedule-preview.ts).
 */

const TIME_HELP = "ISO 8601; with Z or an offset it is exact, without it is wall time in --timezone";

const COMMON: Readonly<Record<string, OptionSpec>> = {
  now: { type: "string", describe: `Evaluate at this time (default: now). ${TIME_HELP}` },
  last: { type: "string", describe: `The last scheduled run (default: none). ${TIME_HELP}` },
  timezone: { type: "string", describe: "IANA zone the schedule is evaluated in (default: the host's)" },
  format: FORMAT_OPTION,
};

const EXPRESSION = { name: "expression", describe: "Schedule expression (quote it)", required: true } as const;

export const scheduleNextCommand: CliCommand = {
  words: ["schedule", "next"],
  describe: "Show the next runs of a schedule expression, with DST moves marked",
  positionals: [EXPRESSION],
  options: { ...COMMON, count: { type: "number", describe: "How many runs", default: 5, range: [1, 10_000] } },
  examples: [
    ["svcmgr schedule next '02:00-04:00@30 mon-fri'", "OpenSVC: every 30 min between 02:00 and 04:00 on weekdays"],
    ["svcmgr schedule next '~00:00-06:00 sat' --count 3", "OpenSVC: once per window, start spread over the night"],
    [`svcmgr schedule next '["@1h", "! 12:00-14:00"]'`, "OpenSVC JSON list: hourly, never at lunch time"],
    ["svcmgr schedule next '30 2 * * *' --timezone Europe/Paris --now 2025-03-29T12:00", "cron: the DST gap moves the 30 March run to 03:00"],
    ["svcmgr schedule next '0 0 * * 5L' --format json", "cron: the last Friday of each month, as JSON"],
  ],
  async run(args, app) {
    return (await import("./schedule-preview.js")).runNext(args, app);
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
  async run(args, app) {
    return (await import("./schedule-preview.js")).runCheck(args, app);
  },
};

/** Both subcommands, to register together. */
export const scheduleCommands: readonly CliCommand[] = [scheduleNextCommand, scheduleCheckCommand];
