import type { CompleteRun, NewRun, RunOutcome, RunRecord } from "../../core/run-record.js";

/** Every column, aliased to the RunRecord field names. */
export const SELECT_RUN = `SELECT id, svc, rid, trigger, scheduled_for AS scheduledFor, attempt, retry_of AS retryOf, started_at AS startedAt,
  ended_at AS endedAt, duration_ms AS durationMs, exit_code AS exitCode, signal, status, reason, user,
  initiated_by AS initiatedBy, session, command, pid, pid_start_time AS pidStartTime, owner_pid AS ownerPid,
  owner_start_time AS ownerStartTime, log_file AS logFile, output_head AS outputHead, output_tail AS outputTail,
  output_bytes AS outputBytes, stdout_bytes AS stdoutBytes, stderr_bytes AS stderrBytes, truncated,
  inherit_env AS inheritedEnv, node, peak_memory AS peakMemory, cpu_seconds AS cpuSeconds
  FROM runs`;

/** A row as SQLite returns it: like RunRecord, with `truncated` and `inheritedEnv` as 0/1. */
export type RunRow = Omit<RunRecord, "truncated" | "inheritedEnv" | "status" | "trigger"> & {
  truncated: number;
  inheritedEnv: number;
  status: string;
  trigger: string;
};

/** Turns a fresh row object (owned by the caller, never shared) into a RunRecord in place. */
export function fromRow(row: RunRow): RunRecord {
  const r = row as unknown as { truncated: boolean | number; inheritedEnv: boolean | number };
  r.truncated = row.truncated === 1;
  r.inheritedEnv = row.inheritedEnv === 1;
  return row as unknown as RunRecord;
}

const orNull = <T>(v: T | null | undefined): T | null => (v === undefined ? null : v);

/** Named parameters for an insert; SQLite takes null, never undefined. */
export function newRunParams(run: NewRun | CompleteRun) {
  return {
    svc: run.svc,
    rid: run.rid,
    trigger: run.trigger,
    scheduledFor: orNull(run.scheduledFor),
    attempt: run.attempt ?? 1,
    retryOf: orNull(run.retryOf),
    startedAt: run.startedAt,
    user: orNull(run.user),
    initiatedBy: orNull(run.initiatedBy),
    session: orNull(run.session),
    command: orNull(run.command),
    ownerPid: "ownerPid" in run ? orNull(run.ownerPid) : null,
    ownerStartTime: "ownerStartTime" in run ? orNull(run.ownerStartTime) : null,
    logFile: orNull(run.logFile),
    inheritedEnv: run.inheritedEnv === true ? 1 : 0,
    node: orNull(run.node),
  };
}

export function outcomeParams(o: RunOutcome) {
  return {
    status: o.status,
    endedAt: o.endedAt,
    exitCode: orNull(o.exitCode),
    signal: orNull(o.signal),
    reason: orNull(o.reason),
    outputHead: o.outputHead ?? "",
    outputTail: o.outputTail ?? "",
    outputBytes: o.outputBytes ?? 0,
    stdoutBytes: o.stdoutBytes ?? 0,
    stderrBytes: o.stderrBytes ?? 0,
    truncated: o.truncated === true ? 1 : 0,
    peakMemory: orNull(o.peakMemory),
    cpuSeconds: orNull(o.cpuSeconds),
  };
}
