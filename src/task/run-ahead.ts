import { formatInZone } from "../schedule/iso.js";
import type { Schedule } from "../schedule/types.js";
import { Zone } from "../schedule/zone.js";

/**
 * The horizon is a policy, not an engine limit (design §6): the engine answers exactly however
 * far the first run is, and a task whose first run is more than RUN_AHEAD_YEARS ahead is
 * refused — a `validate config` error, a task the daemon does not schedule, a reason in
 * `print schedule` — so that a schedule that can never or almost never match is never silent.
 */
export const RUN_AHEAD_YEARS = 5;

/** Why the schedule is refused at `now` (its first run, history aside), or null when it runs in time. */
export function noRunAheadReason(schedule: Schedule, now: Date): string | null {
  if (schedule.kind === "none") return null;
  const first = schedule.next(now, null);
  const limit = new Date(now);
  limit.setUTCFullYear(limit.getUTCFullYear() + RUN_AHEAD_YEARS);
  if (first !== null && first <= limit) return null;
  const when = first === null ? "it never runs" : `its first run is ${formatInZone(first.getTime(), Zone.get(schedule.timezone))}`;
  return `no run in the next ${RUN_AHEAD_YEARS} years: ${when}`;
}
