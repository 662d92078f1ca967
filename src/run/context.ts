import type { RunTrigger } from "../core/run-record.js";

/**
 * Per-invocation facts that travel with a run, explicit rather than global.
 * The CLI builds one per `run` command, the daemon one per due slot.
 */
export interface RunContext {
  /** `manual` for the CLI, `schedule` for the daemon's slots, `api` for runs asked of the daemon over its API. */
  readonly trigger: RunTrigger;
  /** Behave as a scheduled run: unmet requirements skip quietly, confirmation is refused. */
  readonly cron: boolean;
  /** `--confirm`: tasks with confirmation = true proceed without asking. */
  readonly confirm: boolean;
  /** Say what would run, run nothing. Requirements are still checked. */
  readonly dryRun: boolean;
  /** Identifies this action in logs, records and the task's SVCMGR_SESSION. */
  readonly session: string;
  /** The schedule slot this run stands for (epoch ms), for scheduled runs. */
  readonly scheduledFor?: number;
  /** In a cluster, the fencing token under which this run was claimed (SVCMGR_FENCING_TOKEN). */
  readonly fencingToken?: number;
  /** Which attempt at the slot this run is (1 when absent), and the record it retries. */
  readonly attempt?: number;
  readonly retryOf?: number;
  /** `--inherit-env`: the task starts from svcmgr's own environment (debugging; recorded with the run). */
  readonly inheritEnv?: boolean;
  /** `--env K=V` values, exported to the task after everything else. */
  readonly extraEnv: Readonly<Record<string, string>>;
  /** Who asked: SUDO_USER or the invoking user for manual runs. */
  readonly initiatedBy: string;
  /** Aborting stops running tasks and starts no other (daemon shutdown past its grace, a stop signal to `run`). */
  readonly signal?: AbortSignal;
}
