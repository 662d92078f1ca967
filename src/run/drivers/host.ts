import { formatArgv, parseCommandLine } from "../command-line.js";
import type { TaskDriver } from "../task-driver.js";

/** task.host: the command runs on this host, directly or through /bin/sh -c (command-line.ts); a one-off's argv as given. */
export const hostDriver: TaskDriver = {
  type: "task.host",
  commandLine: (task) => (task.argv === undefined ? parseCommandLine(task.command) : { mode: "exec", argv: task.argv, display: formatArgv(task.argv) }),
};
