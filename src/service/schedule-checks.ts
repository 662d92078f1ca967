import type { App } from "../app.js";
import type { ValidateOptions } from "../config/validate.js";

/** A config line setting `schedule` or `run_schedule` (possibly scoped). */
const MENTIONS_SCHEDULE = /^\s*(schedule|run_schedule)(@\S*)?\s*[=:]/m;

/**
 * Validation options with the schedule engine plugged in: syntax errors always, trap warnings
 * (DST, dow:dom) only with `lint` (`validate config`). The engine and croner are loaded only
 * for a config that has a schedule: a manual-only service never pays for them.
 */
export async function scheduleChecks(app: App, configText: string, opts: { lint: boolean }): Promise<ValidateOptions> {
  if (!MENTIONS_SCHEDULE.test(configText)) return {};
  const { lintSchedule, parseSchedule, ScheduleSyntaxError } = await import("../schedule/index.js");
  return {
    checkSchedule(expression, timezone) {
      const zone = timezone ?? app.timezone;
      try {
        parseSchedule(expression, { timezone: zone });
      } catch (e) {
        if (e instanceof ScheduleSyntaxError) return { error: e.message, warnings: [] };
        throw e;
      }
      if (!opts.lint) return { warnings: [] };
      return { warnings: lintSchedule(expression, zone, new Date(app.clock.now())).map((w) => w.message) };
    },
  };
}
