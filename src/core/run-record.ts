/**
 * The run history record: one per scheduled instant and one per manual run.
 *
 * Times are epoch milliseconds (UTC), as the Clock port and ProcessResult give them;
 * printers turn them into ISO-8601 text. `pidStartTime`/`ownerStartTime` are process
 * start times in clock ticks since boot (`/proc/<pid>/stat` field 22), only ever
 * compared for equality.
 */

/**
 * How a run was started: by hand (`run`), by the daemon on schedule, through the API (or the
 * CLI handing it to the daemon), or as a one-off command (`exec`).
 */
export const RUN_TRIGGERS = ["manual", "schedule", "api", "oneoff"] as const;
export type RunTrigger = (typeof RUN_TRIGGERS)[number];

/** Statuses a record can end with. */
export const FINAL_STATUSES = [
  "succeeded", "failed", "timed_out", "skipped", "missed", "aborted", "interrupted",
] as const;
export type FinalStatus = (typeof FINAL_STATUSES)[number];

/** `running` marks an in-flight record: begun, not yet finished. */
export const RUN_STATUSES = ["running", ...FINAL_STATUSES] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** Statuses recorded without a task process having run. */
export const NOT_RUN_STATUSES: readonly FinalStatus[] = ["skipped", "missed"];

export function isRunStatus(s: string): s is RunStatus {
  return (RUN_STATUSES as readonly string[]).includes(s);
}

/** A bounded excerpt of a run's combined output (see capture.ts). */
export interface OutputExcerpt {
  /** First bytes of the output; the whole output when not truncated. */
  readonly outputHead: string;
  /** Last bytes of the output; empty when not truncated. */
  readonly outputTail: string;
  /** Total bytes written by the task, both streams. */
  readonly outputBytes: number;
  readonly stdoutBytes: number;
  readonly stderrBytes: number;
  /** True when bytes between head and tail were left out. */
  readonly truncated: boolean;
}

export interface RunRecord extends OutputExcerpt {
  readonly id: number;
  /** Object path text: `db` or `prod/svc/db`. */
  readonly svc: string;
  readonly rid: string;
  readonly trigger: RunTrigger;
  /**
   * The schedule slot (epoch ms). Set for every schedule-triggered record.
   * Invariant: a schedule slot (svc, rid, scheduledFor) has at most one record.
   */
  readonly scheduledFor: number | null;
  /**
   * 1 for a slot's first record. 2 and more: a retry (`retryOf` set), or a slot whose instant
   * came again after the clock was set back (`retryOf` null). Invariant: (svc, rid, scheduledFor,
   * attempt) has at most one schedule record.
   */
  readonly attempt: number;
  /** The record this one retries, or null. */
  readonly retryOf: number | null;
  /** When the run started, or when the skip/miss was decided. */
  readonly startedAt: number;
  /** Null while running. For `interrupted`, when svcmgr noticed (an upper bound). */
  readonly endedAt: number | null;
  readonly durationMs: number | null;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly status: RunStatus;
  readonly reason: string | null;
  /** The identity the task ran as. */
  readonly user: string | null;
  /** Manual runs: the invoking user (SUDO_USER when set); schedule: the daemon's user. */
  readonly initiatedBy: string | null;
  readonly session: string | null;
  /** Display string of what ran (argv quoted, or the shell command). */
  readonly command: string | null;
  /** The task process, once spawned. */
  readonly pid: number | null;
  readonly pidStartTime: number | null;
  /** The svcmgr process (CLI or daemon) that began the run and will finish it. */
  readonly ownerPid: number | null;
  readonly ownerStartTime: number | null;
  /** Path of the full output log. */
  readonly logFile: string | null;
  /** True when the task got svcmgr's own environment (`run --inherit-env`) instead of the clean one. */
  readonly inheritedEnv: boolean;
  /** The node (its name) whose svcmgr wrote the record; null for records written before nodes were recorded. */
  readonly node: string | null;
  /** Highest memory use of the run's command (its cgroup), bytes; null: not measured (no cgroups, not run). */
  readonly peakMemory: number | null;
  /** CPU time of the run's command, every process of its cgroup, seconds; null: not measured. */
  readonly cpuSeconds: number | null;
}

/** What `begin` needs: an in-flight record before the task process exists. */
export interface NewRun {
  readonly svc: string;
  readonly rid: string;
  readonly trigger: RunTrigger;
  /** Required when trigger is `schedule`. */
  readonly scheduledFor?: number | null;
  /** @default 1 */
  readonly attempt?: number;
  readonly retryOf?: number | null;
  readonly startedAt: number;
  readonly user?: string | null;
  readonly initiatedBy?: string | null;
  readonly session?: string | null;
  readonly command?: string | null;
  readonly ownerPid?: number | null;
  readonly ownerStartTime?: number | null;
  readonly logFile?: string | null;
  readonly inheritedEnv?: boolean;
  /** The node name of the svcmgr writing the record. */
  readonly node?: string | null;
}

/** How an in-flight run ended. */
export interface RunOutcome extends Partial<OutputExcerpt> {
  readonly status: FinalStatus;
  readonly endedAt: number;
  readonly exitCode?: number | null;
  readonly signal?: string | null;
  readonly reason?: string | null;
  readonly peakMemory?: number | null;
  readonly cpuSeconds?: number | null;
}

/** A record that is final when written: skipped, missed, aborted (no process ran). */
export interface CompleteRun extends Omit<NewRun, "ownerPid" | "ownerStartTime">, RunOutcome {}

/** What a record holds besides its begin and its outcome: the task process and the output log. */
export interface RunExtras {
  readonly pid?: number | null;
  readonly pidStartTime?: number | null;
  readonly logFile?: string | null;
}

/**
 * The record a store holds once `run` was begun (or recorded final) under `id` and ended with
 * `outcome`: the same values, field for field, as reading it back gives, so that the pipeline
 * hands its callers the record without reading the history again.
 */
export function runRecord(id: number, run: NewRun | CompleteRun, outcome: RunOutcome, extras: RunExtras = {}): RunRecord {
  const orNull = <T>(v: T | null | undefined): T | null => (v === undefined ? null : v);
  return {
    id, svc: run.svc, rid: run.rid, trigger: run.trigger, scheduledFor: orNull(run.scheduledFor), attempt: run.attempt ?? 1,
    retryOf: orNull(run.retryOf), startedAt: run.startedAt, endedAt: outcome.endedAt, durationMs: outcome.endedAt - run.startedAt,
    exitCode: orNull(outcome.exitCode), signal: orNull(outcome.signal), status: outcome.status, reason: orNull(outcome.reason),
    user: orNull(run.user), initiatedBy: orNull(run.initiatedBy), session: orNull(run.session), command: orNull(run.command),
    pid: orNull(extras.pid), pidStartTime: orNull(extras.pidStartTime),
    ownerPid: "ownerPid" in run ? orNull(run.ownerPid) : null, ownerStartTime: "ownerStartTime" in run ? orNull(run.ownerStartTime) : null,
    logFile: orNull(extras.logFile ?? run.logFile), outputHead: outcome.outputHead ?? "", outputTail: outcome.outputTail ?? "",
    outputBytes: outcome.outputBytes ?? 0, stdoutBytes: outcome.stdoutBytes ?? 0, stderrBytes: outcome.stderrBytes ?? 0,
    truncated: outcome.truncated === true, inheritedEnv: run.inheritedEnv === true, node: orNull(run.node),
    peakMemory: orNull(outcome.peakMemory), cpuSeconds: orNull(outcome.cpuSeconds),
  };
}
