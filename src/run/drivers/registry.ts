import type { TaskDriver } from "../task-driver.js";
import { hostDriver } from "./host.js";

/** The task drivers, by type. */
export const TASK_DRIVERS: ReadonlyMap<string, TaskDriver> = new Map([hostDriver].map((d) => [d.type, d]));
