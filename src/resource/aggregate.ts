import type { Status } from "../core/status.js";

/**
 * How resource states combine into the instance state (OpenSVC's rules, simplified and
 * stated): tasks, disabled and `n/a` resources never count; `optional` and `standby`
 * resources do not count in `avail`; `avail` is `up` when every counted resource is up,
 * `down` when every one is down, `warn` when they disagree or one warns, `n/a` when none
 * counts. `overall` is `avail` turned `warn` when an optional resource is down or warns.
 */
export interface AggregatedResource {
  readonly rid: string;
  readonly status: Status;
  readonly optional: boolean;
  readonly standby: boolean;
  readonly disabled: boolean;
  readonly isTask: boolean;
}

export function aggregateAvail(resources: readonly AggregatedResource[]): Status {
  const counted = resources.filter((r) => !r.isTask && !r.disabled && !r.optional && !r.standby && r.status !== "n/a");
  if (counted.length === 0) return "n/a";
  if (counted.every((r) => r.status === "up")) return "up";
  if (counted.every((r) => r.status === "down")) return "down";
  return "warn";
}

export function aggregateOverall(resources: readonly AggregatedResource[]): Status {
  const avail = aggregateAvail(resources);
  const optionalTrouble = resources.some((r) => !r.isTask && !r.disabled && r.optional && (r.status === "down" || r.status === "warn"));
  return optionalTrouble && avail !== "n/a" ? "warn" : avail;
}

/** A standby resource reports `stdby up` / `stdby down`. */
export function withStandby(status: Status, standby: boolean): Status {
  if (!standby) return status;
  if (status === "up") return "stdby up";
  if (status === "down") return "stdby down";
  return status;
}
