import type { TaskDef } from "./model.js";

/** Why the daemon never runs a task on its own, or null when it has a schedule it will follow. */
export type NotScheduledReason = "disabled" | "confirmation" | "no-schedule";

export function notScheduledReason(task: TaskDef): NotScheduledReason | null {
  if (task.disable) return "disabled";
  if (task.confirmation) return "confirmation";
  if (task.schedule === "" || task.schedule === "@0" || task.schedule === "[]" || task.schedule === '""') return "no-schedule";
  return null;
}

export const NOT_SCHEDULED_TEXT: Readonly<Record<NotScheduledReason, string>> = {
  disabled: "disabled",
  confirmation: "confirmation = true: only run by hand with a human's yes",
  "no-schedule": "no schedule (manual runs only)",
};
