import { parseSchedule } from "../schedule/index.js";
import type { Schedule } from "../schedule/types.js";
import type { TaskDef } from "./model.js";

/**
 * The task's schedule in its zone. The splay key makes OpenSVC `~` delays stable per
 * node, service and task, and spread across them; the daemon and `print schedule` agree.
 */
export function taskSchedule(task: TaskDef, svcPath: string, nodename: string, hostZone: string): Schedule {
  return parseSchedule(task.schedule, { timezone: task.timezone ?? hostZone, splayKey: `${nodename}/${svcPath}/${task.rid}` });
}
