import type { Status } from "../core/status.js";
import type { ServiceConfig } from "../config/service.js";
import { classifySection } from "../config/service.js";
import type { StatusDeps } from "./driver.js";
import { RESOURCE_DRIVERS } from "./drivers/registry.js";
import { withStandby } from "./aggregate.js";

export type { StatusDeps } from "./driver.js";

/**
 * The state of each resource of a service, as `print status` and `run_requires` see it, from
 * its driver (drivers/): fs, ip, app, task. Disabled resources are n/a; standby ones report
 * `stdby up/down`; a group without a driver is `undef`.
 */
export interface ResourceState {
  readonly rid: string;
  readonly driver: string;
  readonly status: Status;
  readonly disabled: boolean;
  readonly optional: boolean;
  readonly standby: boolean;
  readonly running: number;
  readonly log: readonly string[];
}

/** `seen`: the resources whose state is being computed further up (a task's requirements may loop back). */
export async function resourceState(config: ServiceConfig, rid: string, deps: StatusDeps, seen: ReadonlySet<string> = new Set()): Promise<ResourceState> {
  const c = classifySection(rid);
  const group = "group" in c ? c.group : "unknown";
  const driver = RESOURCE_DRIVERS.get(group);
  const flag = (k: string) => config.value<boolean>(rid, k) ?? false;
  const base = {
    rid, driver: driver?.name(config, rid) ?? group, disabled: flag("disable"), optional: flag("optional"), standby: flag("standby"),
    running: group === "task" ? deps.runningCount(rid) : 0,
  };
  if (base.disabled) return { ...base, status: "n/a", log: [] };
  if (driver === undefined) return { ...base, status: "undef", log: [] };
  // Requirements that loop back to a resource being computed are not followed again.
  const next = new Set([...seen, rid]);
  const stateOf = seen.has(rid) ? null : async (other: string): Promise<Status> => (await resourceState(config, other, deps, next)).status;
  const { status, log } = await driver.status(config, rid, deps, stateOf);
  return { ...base, status: withStandby(status, base.standby), log };
}
