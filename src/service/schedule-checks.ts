import type { App } from "./app.js";
import type { ValidateOptions } from "../config/validate.js";

/** A config line setting `schedule` or `run_schedule` (possibly scoped). */
const MENTIONS_SCHEDULE = /^\s*(schedule|run_schedule)(@\S*)?\s*[=:]/m;

/**
 * Validation options with the schedule engine plugged in: syntax errors always; with `lint`
 * (`validate config`), trap warnings (DST, dow:dom) and the error for a schedule with no run
 * in the next 5 years (elsewhere the daemon refuses only that task, not its service). The
 * engine and croner are loaded only for a config that has a schedule: a manual-only service
 * never pays for them.
 */
export async function scheduleChecks(app: App, configText: string, opts: { lint: boolean }): Promise<ValidateOptions> {
  if (!MENTIONS_SCHEDULE.test(configText)) return {};
  const { lintSchedule, parseSchedule, ScheduleSyntaxError } = await import("../schedule/index.js");
  const { noRunAheadReason } = await import("../task/run-ahead.js");
  return {
    checkSchedule(expression, timezone) {
      const zone = timezone ?? app.timezone;
      let schedule;
      try {
        schedule = parseSchedule(expression, { timezone: zone });
      } catch (e) {
        if (e instanceof ScheduleSyntaxError) return { error: e.message, warnings: [] };
        throw e;
      }
      if (!opts.lint) return { warnings: [] };
      const now = new Date(app.clock.now());
      const warnings = lintSchedule(expression, zone, now).map((w) => w.message);
      const refused = noRunAheadReason(schedule, now);
      return refused === null ? { warnings } : { error: refused, warnings };
    },
  };
}
