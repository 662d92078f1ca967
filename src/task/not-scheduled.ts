import type { TaskDef } from "./model.js";

/**
 * Why the daemon never runs a task on its own, from the task's own keywords. The daemon adds
 * reasons of its own (daemon/task.ts), and describes all of them.
 */
export type TaskNotScheduledReason = "disabled" | "confirmation" | "no-schedule";

export function notScheduledReason(task: TaskDef): TaskNotScheduledReason | null {
  if (task.disable) return "disabled";
  if (task.confirmation) return "confirmation";
  if (task.schedule === "" || task.schedule === "@0" || task.schedule === "[]" || task.schedule === '""') return "no-schedule";
  return null;
}
