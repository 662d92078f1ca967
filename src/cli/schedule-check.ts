import type { App } from "../app.js";
import type { ValidateOptions } from "../config/validate.js";
import { lintSchedule, parseSchedule, ScheduleSyntaxError } from "../schedule/index.js";

/** Validation options with the schedule engine plugged in: syntax errors and trap warnings. */
export function scheduleCheckOptions(app: App): ValidateOptions {
  return {
    checkSchedule(expression, timezone) {
      const zone = timezone ?? app.timezone;
      try {
        parseSchedule(expression, { timezone: zone });
      } catch (e) {
        if (e instanceof ScheduleSyntaxError) return { error: e.message, warnings: [] };
        throw e;
      }
      return { warnings: lintSchedule(expression, zone).map((w) => w.message) };
    },
  };
}
