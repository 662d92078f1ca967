import type { App } from "../app.js";
import type { ValidateOptions } from "../config/validate.js";

/** Validation options with the schedule engine plugged in. */
export function scheduleCheckOptions(_app: App): ValidateOptions {
  return {};
}
