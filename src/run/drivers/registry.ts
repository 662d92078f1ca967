import type { TaskDriver } from "../task-driver.js";
import { hostDriver } from "./host.js";
import { podmanDriver, type PodmanPorts } from "./podman.js";
import { containerUpdateDriver } from "./container-update.js";

/** What the drivers need from the host. */
export interface DriverPorts {
  readonly podman: PodmanPorts;
  /** How to execute this svcmgr ([node, script] or [binary]): container_update runs `svcmgr container-update`. */
  readonly self: readonly string[];
}

/** The task drivers, by type. */
export function taskDrivers(ports: DriverPorts): ReadonlyMap<string, TaskDriver> {
  return new Map([hostDriver, podmanDriver(ports.podman), containerUpdateDriver(ports.self)].map((d) => [d.type, d]));
}
