import { ScheduleSyntaxError } from "./errors.js";
import { Zone } from "./zone.js";

/** The zone object for an IANA name; an unknown zone is reported against the expression. */
export function resolveZone(expr: string, timezone: string): Zone {
  try {
    return Zone.get(timezone);
  } catch (e) {
    throw new ScheduleSyntaxError(expr, `unknown time zone ${JSON.stringify(timezone)} (use an IANA name such as Europe/Paris)`, { cause: e });
  }
}
