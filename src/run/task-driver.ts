import type { CgroupLimits, ProcessResult, ProcessRunner } from "../core/ports.js";
import type { TaskDef } from "../task/model.js";
import type { CommandLine } from "./command-line.js";

/**
 * One kind of task (OpenSVC's group + type: `task.host`): how the task's command becomes the
 * process the pipeline starts. Everything else of a run is the pipeline's and the same for
 * every kind: gates, identity, environment, deadline, output, records. A new kind is a new
 * driver in drivers/ and one entry in the registry; the pipeline and the CLI stay as they are.
 */
export interface TaskDriver {
  /** `task.<type>`, as TaskDef.type and `--rid task.<type>` name it. */
  readonly type: string;
  /** What to execute for the task's command; throws an Error saying why when it cannot be built. */
  commandLine(task: TaskDef, run: DriverRun): CommandLine;
  /**
   * True when the driver enforces limit_memory, limit_cpus and limit_pids itself (a container's
   * own cgroup): the process svcmgr starts then gets a cgroup without limits.
   */
  readonly ownLimits?: boolean;
  /**
   * Called once the command's process has ended, however it ended (timeout and abort
   * included): what the driver must still do (inspect and remove a container) and what it
   * learnt. Never throws.
   */
  afterCommand?(task: TaskDef, run: DriverRun, result: ProcessResult, io: DriverIo): Promise<AfterCommand>;
}

/** What a driver knows of the run it builds the command of. */
export interface DriverRun {
  /** The service's object path. */
  readonly svc: string;
  /** The run's session (unique per run of a task): names its container. */
  readonly session: string;
  /** The run's limits: the task's, node.conf [limits] filling the others. */
  readonly limits: CgroupLimits;
  /** Variables of the run's environment that are the task's own (SVCMGR_*, LANG, TZ, `environment`, `--env`), not the host login's. */
  readonly envNames: readonly string[];
}

/** What a driver's afterCommand may use. */
export interface DriverIo {
  readonly runner: ProcessRunner;
  /** The run's environment and a working directory, for the driver's own commands. */
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
}

export interface AfterCommand {
  /** Processes of the task killed by the kernel's OOM killer (in a cgroup svcmgr does not measure). */
  readonly oomKills?: number;
  /** True when the run's cgroup did not hold the task (its usage figures are not the task's). */
  readonly usageNotMeasured?: boolean;
  /** Said in the record's reason and on the terminal. */
  readonly notes?: readonly string[];
}
