import { parseCommandLine } from "../command-line.js";
import type { TaskDriver } from "../task-driver.js";

/** task.host: the command runs on this host, directly or through /bin/sh -c (command-line.ts). */
export const hostDriver: TaskDriver = {
  type: "task.host",
  commandLine: (task) => parseCommandLine(task.command),
};
