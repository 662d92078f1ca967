import { formatArgv } from "../command-line.js";
import type { TaskDriver } from "../task-driver.js";

/**
 * task.container_update (a preset of the podman driver, Supascale's task type): the run is
 * `svcmgr container-update CONTAINER …`, a process like any task's command (its output, exit
 * code, timeout and stop are the run's). `self` is how this svcmgr is executed
 * ([node, script] or [binary]).
 */
export function containerUpdateDriver(self: readonly string[]): TaskDriver {
  return {
    type: "task.container_update",
    commandLine: (task) => {
      const c = task.container!;
      const argv = [...self, "container-update", c.container!, "--pull", c.pullPolicy, "--stop-timeout", `${Math.ceil(c.stopTimeoutMs / 1000)}s`];
      if (c.image !== undefined) argv.push("--image", c.image);
      return { mode: "exec", argv, display: formatArgv(argv) };
    },
  };
}
