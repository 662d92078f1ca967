import type { Status } from "../core/status.js";
import type { LastRun } from "../core/run-ports.js";
import type { ServiceConfig } from "../config/service.js";
import type { ResourceProbe } from "./probe.js";

/** A resource's state and the lines that explain it. */
export interface DriverStatus {
  readonly status: Status;
  readonly log: readonly string[];
}

/** What resource drivers may use from outside. Implemented in platform/ (service-ports.ts). */
export interface StatusDeps {
  readonly probe: ResourceProbe;
  /** Runs an app's check command; resolves its exit code (null: could not run or timed out). */
  readonly runCheck: (config: ServiceConfig, rid: string) => Promise<number | null>;
  readonly readLastRun: (rid: string) => LastRun | null;
  readonly runningCount: (rid: string) => number;
}

/**
 * One kind of resource (OpenSVC's driver group: fs, ip, app, task). A new kind is a new driver
 * in drivers/ and one entry in RESOURCE_DRIVERS; nothing else changes.
 */
export interface ResourceDriver {
  readonly group: string;
  /** The driver's full name as `print status` shows it: `fs.ext4`, `fs.directory`, `app.simple`, `task.host`. */
  name(config: ServiceConfig, rid: string): string;
  /**
   * The state of an enabled resource. `stateOf` gives another resource's state (for a task's
   * requirements); null when this resource is already being computed further up (a loop).
   */
  status(config: ServiceConfig, rid: string, deps: StatusDeps, stateOf: ((rid: string) => Promise<Status>) | null): Promise<DriverStatus>;
}
