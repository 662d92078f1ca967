import type { FinalStatus, RunRecord } from "../core/run-record.js";
import type { CommandLine } from "./command-line.js";

/**
 * What one task's run came to, the same for the CLI, the daemon and the API. Whenever the run
 * (or its refusal) was recorded, `record` is the history record as written: status, exit code,
 * reason, times, attempt, output excerpt. The other fields say what no record can: a dry run's
 * plan, a task not reached, the stage that refused, whether `run` must exit 1 for it.
 */
export interface TaskRun {
  readonly rid: string;
  /** `not-run`: not reached, a previous task failed or the run was interrupted (see run-tasks.ts). */
  readonly status: FinalStatus | "dry-run" | "not-run";
  readonly reason?: string;
  /** True when this run must make `run` exit 1 (a non-optional failure or refusal). */
  readonly failed: boolean;
  /** Set when a stage refused the run (nothing was executed). */
  readonly gate?: Gate;
  /** Set for dry runs. */
  readonly plan?: RunPlan;
  /** The record as the history holds it; absent when nothing was recorded (dry run, not reached, history not writable, slot already recorded). */
  readonly record?: RunRecord;
}

/** Which stage stopped a run before its command ran. */
export type Gate = "disabled" | "requires" | "confirmation" | "identity" | "command" | "max-parallel" | "run-slot" | "duplicate-slot" | "record" | "cluster";

/** What a dry run would execute. */
export interface RunPlan {
  readonly mode: CommandLine["mode"];
  readonly argv: readonly string[];
  /** argv quoted for a shell. */
  readonly command: string;
  readonly user: string;
  readonly cwd: string;
  /** The environment, but the SVCMGR_* variables known once the run has begun (SVCMGR_RUN_ID). */
  readonly env: Readonly<Record<string, string>>;
}
