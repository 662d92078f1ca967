import type { CgroupLimits, Clock, ProcessRunner, Prompter } from "../core/ports.js";
import type { LastRunWriter, ResourceStates, RunOutputLog, RunRecorder, RunReporter, RunSlots } from "../core/run-ports.js";
import type { HostFacts, ServiceFacts } from "./exec-setup.js";
import type { TaskDriver } from "./task-driver.js";

/** Everything the run pipeline uses from outside: ports, facts about the host and the service. */
export interface PipelineDeps {
  readonly clock: Clock;
  /** The task drivers by type (drivers/registry.ts): a task whose type has none is refused. */
  readonly drivers: ReadonlyMap<string, TaskDriver>;
  readonly runner: ProcessRunner;
  readonly prompter: Prompter;
  readonly host: HostFacts;
  readonly service: ServiceFacts;
  readonly states: ResourceStates;
  readonly slots: RunSlots;
  readonly recorder: RunRecorder;
  readonly reporter: RunReporter;
  readonly lastRun: LastRunWriter;
  /** Where a run's full output goes, from its record id. */
  readonly outputLogPath: (rid: string, runId: number) => string;
  /** `maxBytes`: the task's `output_max`, when it sets one. */
  readonly openOutputLog: (path: string, maxBytes: number | undefined) => RunOutputLog;
  readonly ownerPid: number;
  readonly ownerStartTime: number | null;
  /** SIGTERM → SIGKILL grace on timeout. */
  readonly killGraceMs?: number;
  /** node.conf [limits]: each applies to a task that does not set its own. */
  readonly cgroupDefaults?: CgroupLimits;
}
