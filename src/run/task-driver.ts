import type { TaskDef } from "../task/model.js";
import type { CommandLine } from "./command-line.js";

/**
 * One kind of task (OpenSVC's group + type: `task.host`): how the task's command becomes the
 * process the pipeline starts. Everything else of a run is the pipeline's and the same for
 * every kind: gates, identity, environment, deadline, output, records. A new kind is a new
 * driver in drivers/ and one entry in TASK_DRIVERS; the pipeline and the CLI stay as they are.
 */
export interface TaskDriver {
  /** `task.<type>`, as TaskDef.type and `--rid task.<type>` name it. */
  readonly type: string;
  /** What to execute for the task's command; throws an Error saying why when it cannot be built. */
  commandLine(task: TaskDef): CommandLine;
}
