import type { ResourceDriver } from "../driver.js";
import { appDriver } from "./app.js";
import { fsDriver } from "./fs.js";
import { ipDriver } from "./ip.js";
import { taskDriver } from "./task.js";

/** The resource drivers, by group. */
export const RESOURCE_DRIVERS: ReadonlyMap<string, ResourceDriver> = new Map([fsDriver, ipDriver, appDriver, taskDriver].map((d) => [d.group, d]));
