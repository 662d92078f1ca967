import type { HistoryQuery } from "../../core/history-store.js";
import type { CompleteRun, NewRun, RunOutcome, RunRecord } from "../../core/run-record.js";

/** Every column, aliased to the RunRecord field names (quoted: PostgreSQL folds bare names to lower case). */
export const SELECT_RUN = `SELECT id, svc, rid, trigger, scheduled_for AS "scheduledFor", attempt, retry_of AS "retryOf",
  started_at AS "startedAt", ended_at AS "endedAt", duration_ms AS "durationMs", exit_code AS "exitCode", signal, status,
  reason, "user", initiated_by AS "initiatedBy", session, command, pid, pid_start_time AS "pidStartTime",
  owner_pid AS "ownerPid", owner_start_time AS "ownerStartTime", log_file AS "logFile", output_head AS "outputHead",
  output_tail AS "outputTail", output_bytes AS "outputBytes", stdout_bytes AS "stdoutBytes", stderr_bytes AS "stderrBytes",
  truncated, inherit_env AS "inheritedEnv", node, peak_memory AS "peakMemory", cpu_seconds AS "cpuSeconds"
  FROM runs`;

/** A row as the driver returns it (bigint parsed as numbers, booleans as booleans) is a RunRecord. */
export const asRecord = (row: Record<string, unknown>): RunRecord => row as unknown as RunRecord;

/** `$1, $2, …` parameters collected in order. */
export class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

/** WHERE clause (possibly empty) for the filters of a query. */
export function whereOf(q: HistoryQuery, p: Params): string {
  const conds: string[] = [];
  if (q.svc !== undefined) conds.push(`svc = ${p.add(q.svc)}`);
  if (q.rid !== undefined) conds.push(`rid = ${p.add(q.rid)}`);
  if (q.trigger !== undefined) conds.push(`trigger = ${p.add(q.trigger)}`);
  if (q.since !== undefined) conds.push(`started_at >= ${p.add(q.since)}`);
  if (q.until !== undefined) conds.push(`started_at < ${p.add(q.until)}`);
  if (q.before !== undefined) conds.push(`(started_at, id) < (${p.add(q.before.startedAt)}, ${p.add(q.before.id)})`);
  if (q.status !== undefined) {
    const list = typeof q.status === "string" ? [q.status] : q.status;
    // One status: an equality, so that runs_status_started gives the records already in order.
    conds.push(list.length === 1 ? `status = ${p.add(list[0])}` : `status = ANY(${p.add([...list])}::text[])`);
  }
  return conds.length === 0 ? "" : `WHERE ${conds.join(" AND ")}`;
}

/**
 * A query newest first (startedAt, then id): served by runs_task_started, runs_svc_started,
 * runs_status_started or runs_started. Several statuses with a limit: one branch per status,
 * each read newest first from runs_status_started or runs_svc_status_started and cut at the
 * limit, merged (UNION ALL) and cut again: never more than limit × statuses index entries read,
 * however rare a status is (a single scan filtering on status = ANY would read every record of
 * the service to find none).
 */
export function buildQuery(q: HistoryQuery): { text: string; params: unknown[] } {
  if (q.limit !== undefined && (!Number.isInteger(q.limit) || q.limit < 0)) throw new RangeError(`history query limit must be a non-negative integer, got ${q.limit}`);
  const statuses = q.status === undefined || typeof q.status === "string" ? null : [...new Set(q.status)];
  const p = new Params();
  const order = `ORDER BY started_at DESC, id DESC`;
  if (statuses === null || statuses.length < 2 || q.limit === undefined) {
    const text = `${SELECT_RUN} ${whereOf(q, p)} ${order}`;
    return { text: q.limit === undefined ? text : `${text} LIMIT ${p.add(q.limit)}`, params: p.values };
  }
  const limit = q.limit;
  const branches = statuses.map((status) => `(${SELECT_RUN} ${whereOf({ ...q, status }, p)} ${order} LIMIT ${p.add(limit)})`);
  return { text: `SELECT * FROM (${branches.join(" UNION ALL ")}) AS newest ORDER BY "startedAt" DESC, id DESC LIMIT ${p.add(limit)}`, params: p.values };
}

const orNull = <T>(v: T | null | undefined): T | null => (v === undefined ? null : v);

/** The columns of an insert and their values, in one order. */
export function insertColumns(run: NewRun | CompleteRun, outcome: RunOutcome | null, key?: string): Array<[string, unknown]> {
  const cols: Array<[string, unknown]> = [
    ["svc", run.svc], ["rid", run.rid], ["trigger", run.trigger], ["scheduled_for", orNull(run.scheduledFor)],
    ["attempt", run.attempt ?? 1], ["retry_of", orNull(run.retryOf)], ["started_at", run.startedAt],
    ['"user"', orNull(run.user)], ["initiated_by", orNull(run.initiatedBy)], ["session", orNull(run.session)],
    ["command", orNull(run.command)], ["log_file", orNull(run.logFile)], ["inherit_env", run.inheritedEnv === true],
    ["node", orNull(run.node)],
  ];
  if (key !== undefined) cols.push(["record_key", key]);
  if (outcome === null) {
    cols.push(["status", "running"]);
    cols.push(["owner_pid", "ownerPid" in run ? orNull(run.ownerPid) : null], ["owner_start_time", "ownerStartTime" in run ? orNull(run.ownerStartTime) : null]);
  } else {
    cols.push(...outcomeColumns(outcome), ["duration_ms", outcome.endedAt - run.startedAt]);
  }
  return cols;
}

/** The columns an outcome sets (duration_ms apart: it depends on started_at). */
export function outcomeColumns(o: RunOutcome): Array<[string, unknown]> {
  return [
    ["status", o.status], ["ended_at", o.endedAt], ["exit_code", orNull(o.exitCode)], ["signal", orNull(o.signal)],
    ["reason", orNull(o.reason)], ["output_head", o.outputHead ?? ""], ["output_tail", o.outputTail ?? ""],
    ["output_bytes", o.outputBytes ?? 0], ["stdout_bytes", o.stdoutBytes ?? 0], ["stderr_bytes", o.stderrBytes ?? 0],
    ["truncated", o.truncated === true], ["peak_memory", orNull(o.peakMemory)], ["cpu_seconds", orNull(o.cpuSeconds)],
  ];
}

/** INSERT … ON CONFLICT DO NOTHING RETURNING id: no row when the schedule slot already has a record. */
export function insertSql(cols: Array<[string, unknown]>): { text: string; params: unknown[] } {
  const p = new Params();
  const values = cols.map(([, v]) => p.add(v));
  return {
    text: `INSERT INTO runs (${cols.map(([c]) => c).join(", ")}) VALUES (${values.join(", ")}) ON CONFLICT DO NOTHING RETURNING id`,
    params: p.values,
  };
}
