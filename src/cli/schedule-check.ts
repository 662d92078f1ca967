import type { App } from "../app.js";
import type { ValidateOptions } from "../config/validate.js";
import { lintSchedule, parseSchedule, ScheduleSyntaxError } from "../schedule/index.js";

/**
 * Validation options with the schedule engine plugged in: syntax errors always, trap warnings
 * (DST, dow:dom) only when `lint` is asked — `validate config` and the daemon, not every run.
 */
export function scheduleCheckOptions(app: App, opts: { lint: boolean } = { lint: true }): ValidateOptions {
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
