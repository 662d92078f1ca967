import type { Status } from "../../core/status.js";
import type { LastRun } from "../../core/run-ports.js";
import { statusForExitCode } from "../../config/retcodes.js";
import { unmetRequirement } from "../../config/requires.js";
import { taskDef, type TaskDef } from "../../task/model.js";
import type { DriverStatus, ResourceDriver } from "../driver.js";

/** task: n/a, or with `check` the status of its last run (n/a while its requirements are unmet). */
export const taskDriver: ResourceDriver = {
  group: "task",
  name: (config, rid) => taskDef(config, rid).type,
  status: async (config, rid, deps, stateOf) => {
    const task = taskDef(config, rid);
    if (task.check === "") return { status: "n/a", log: [] };
    if (task.runRequires.length > 0 && stateOf !== null) {
      const states = new Map<string, Status>();
      for (const r of task.runRequires) states.set(r.rid, await stateOf(r.rid));
      if (unmetRequirement(task.runRequires, states) !== null) return { status: "n/a", log: ["requirements not met"] };
    }
    const last = deps.readLastRun(task.rid);
    if (last === null) return { status: "n/a", log: ["never run"] };
    const { status, log } = lastRunStatus(task, last);
    return task.check === "last_run_warn" ? { status: "n/a", log } : { status, log };
  },
};

/**
 * The status a last run gives: its exit code through retcodes, but a run whose record is not
 * `succeeded` is never `up`: a failed blocking trigger or a timeout is `down`; a cancelled run
 * (aborted, interrupted) with no exit code says nothing about the task: `n/a`.
 */
function lastRunStatus(task: TaskDef, last: LastRun): DriverStatus {
  const byCode = last.exitCode === null ? null : statusForExitCode(task.retcodes, last.exitCode);
  if (last.status === "succeeded" && byCode !== null) return { status: byCode, log: byCode === "up" ? [] : [`last run failed (${last.exitCode})`] };
  if (byCode !== null && byCode !== "up") return { status: byCode, log: [`last run failed (${last.exitCode})`] };
  const cancelled = last.status === "aborted" || last.status === "interrupted";
  return { status: cancelled ? "n/a" : "down", log: [`last run ${last.status}${last.exitCode === null ? "" : ` (exit code ${last.exitCode})`}`] };
}
