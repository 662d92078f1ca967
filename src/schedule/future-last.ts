/**
 * A last run in the future (design §6). The engine and the daemon apply the same rule; this
 * module has no dependency so that either can import it cheaply.
 */

/** A last run later than now by more than this is a reset clock's, or another host's. */
export const FUTURE_LAST_TOLERANCE_MS = 3 * 3_600_000;

/**
 * The last run as the engine uses it: more than 3 hours after now it counts as now (the task
 * must not stall until then); within 3 hours it stands, so a small backward step of the clock
 * never runs a fixed-time slot twice.
 */
export function effectiveLast(now: number, last: Date | null | undefined): number | null {
  if (last === null || last === undefined) return null;
  const t = last.getTime();
  return t > now + FUTURE_LAST_TOLERANCE_MS ? now : t;
}
