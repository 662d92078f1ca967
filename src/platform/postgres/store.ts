import { healthyStore, BUCKET_MS, FAILED_STATUSES, RAN_STATUSES, type HistoryStore, type RunBucket } from "../../core/history-store.js";
import { RUN_STATUSES, type RunRecord, type RunStatus } from "../../core/run-record.js";
import type { FoldedSpool } from "../../history/spool.js";
import { replaySpool, type ReplayResult } from "./replay.js";
import type { KeyedRecord } from "../../history/copy.js";
import { importRecords, type ImportResult } from "./import.js";
import { maskPassword } from "../../core/store-url.js";
import { pgSession, storeError, type Sql } from "./session.js";
import { migratePg } from "./schema.js";
import { asRecord, buildQuery, Params, SELECT_RUN, whereOf } from "./sql.js";
import { commitBatch } from "./batch.js";
import { begin, finish, insert, setPid } from "./writes.js";
import { pruneBatchPg } from "./prune.js";

const one = async (sql: Sql, text: string, params: readonly unknown[]): Promise<RunRecord | null> => {
  const r = await sql(text, params);
  return r.rows.length === 0 ? null : asRecord(r.rows[0]!);
};

async function countByStatus(sql: Sql, q: Parameters<HistoryStore["countByStatus"]>[0] = {}): Promise<Record<RunStatus, number>> {
  const p = new Params();
  const r = await sql(`SELECT status, count(*) AS n FROM runs ${whereOf(q, p)} GROUP BY status`, p.values);
  const counts = Object.fromEntries(RUN_STATUSES.map((s) => [s, 0])) as Record<RunStatus, number>;
  for (const row of r.rows as Array<{ status: RunStatus; n: number }>) counts[row.status] = row.n;
  return counts;
}

const sqlList = (list: readonly string[]): string => list.map((v) => `'${v}'`).join(", ");

/** Runs per task and quarter hour of their start (HistoryStore.runBuckets); statuses are constants written into the text. */
async function runBuckets(sql: Sql, q: Parameters<HistoryStore["runBuckets"]>[0] = {}): Promise<RunBucket[]> {
  const p = new Params();
  const where = whereOf(q, p);
  const ran = `status IN (${sqlList(RAN_STATUSES)})`;
  const r = await sql(`SELECT svc, rid, (started_at / ${BUCKET_MS}) * ${BUCKET_MS} AS start, count(*) AS runs,
      count(*) FILTER (WHERE status IN (${sqlList(FAILED_STATUSES)})) AS failures, coalesce(sum(duration_ms), 0)::bigint AS "durationMsSum",
      max(duration_ms) AS "durationMsMax", count(duration_ms) AS timed
    FROM runs ${where === "" ? `WHERE ${ran}` : `${where} AND ${ran}`}
    GROUP BY svc, rid, start ORDER BY svc, rid, start`, p.values);
  return r.rows as unknown as RunBucket[];
}

/** The PostgreSQL store, and what the daemon's spool needs of it. */
export interface PostgresHistory extends HistoryStore {
  /** Writes a spool's records and changes in one transaction (see replaySpool). */
  replay(folded: FoldedSpool): Promise<ReplayResult>;
  /** Writes copied records (history migrate) in one transaction (see importRecords). */
  importRecords(batch: readonly KeyedRecord[]): Promise<ImportResult>;
  /** Resolves once the server answered a statement. */
  ping(): Promise<void>;
}

/**
 * The run history in a PostgreSQL database (design §13), shared by the nodes that point at it.
 * Same records, same slot uniqueness and same answers as the embedded store (one conformance
 * suite runs against both). Opening it migrates the schema (under an advisory lock).
 */
export async function openPostgresHistory(url: string): Promise<PostgresHistory> {
  const session = pgSession(url);
  const where = maskPassword(url);
  try {
    await migratePg((work) => session.transaction(work), where);
  } catch (e) {
    await session.close();
    throw storeError(url, "cannot prepare the schema", e);
  }
  const run = session.run;
  return {
    begin: (r, logFileFor) => (logFileFor === undefined ? run((sql) => begin(sql, r)) : session.transaction((sql) => begin(sql, r, logFileFor))),
    setPid: (id, pid, pidStartTime) => run((sql) => setPid(sql, id, pid, pidStartTime)),
    finish: (id, outcome) => run((sql) => finish(sql, id, outcome)),
    record: (r) => run((sql) => insert(sql, r, r)),
    commit: (writes) =>
      session.transaction((sql) => commitBatch(sql, writes)),
    get: (id) => run((sql) => one(sql, `${SELECT_RUN} WHERE id = $1`, [id])),
    query: (q = {}) =>
      run(async (sql) => {
        const { text, params } = buildQuery(q);
        return (await sql(text, params)).rows.map(asRecord);
      }),
    lastRun: (svc, rid, opts) => {
      const skip = opts?.ranOnly === true ? `('running', 'skipped', 'missed')` : `('running')`;
      return run((sql) => one(sql, `${SELECT_RUN} WHERE svc = $1 AND rid = $2 AND status NOT IN ${skip} ORDER BY started_at DESC, id DESC LIMIT 1`, [svc, rid]));
    },
    lastScheduled: (svc, rid) =>
      run(async (sql) => {
        const r = await sql(`SELECT max(scheduled_for) AS at FROM runs WHERE svc = $1 AND rid = $2 AND trigger = 'schedule'`, [svc, rid]);
        return (r.rows[0]!.at as number | null) ?? null;
      }),
    nextAttempt: (svc, rid, scheduledFor) =>
      run(async (sql) => {
        const r = await sql(`SELECT coalesce(max(attempt), 0) + 1 AS n FROM runs WHERE svc = $1 AND rid = $2 AND scheduled_for = $3 AND trigger = 'schedule'`, [svc, rid, scheduledFor]);
        return r.rows[0]!.n as number;
      }),
    lastAttempt: (svc, rid) =>
      run((sql) => one(sql, `${SELECT_RUN} WHERE svc = $1 AND rid = $2 AND trigger = 'schedule' ORDER BY scheduled_for DESC, attempt DESC LIMIT 1`, [svc, rid])),
    inFlight: () => run(async (sql) => (await sql(`${SELECT_RUN} WHERE status = 'running' ORDER BY started_at, id`)).rows.map(asRecord)),
    markInterrupted: (id, reason, endedAt) =>
      run(async (sql) => {
        const r = await sql(`UPDATE runs SET status = 'interrupted', reason = $1, ended_at = $2, duration_ms = greatest(0, $2::bigint - started_at)
          WHERE id = $3 AND status = 'running'`, [reason, endedAt, id]);
        return r.rowCount === 1;
      }),
    remove: (id) =>
      run(async (sql) => {
        const r = await sql(`WITH gone AS (DELETE FROM runs WHERE id = $1 AND status <> 'running' RETURNING id)
          SELECT (SELECT count(*) FROM gone)::int AS removed, (SELECT count(*) FROM runs WHERE id = $1 AND status = 'running')::int AS running`, [id]);
        const row = r.rows[0] as { removed: number; running: number };
        return row.removed === 1 ? "removed" : row.running === 1 ? "running" : "absent";
      }),
    prune: (policy, now, batchSize) => session.transaction((sql) => pruneBatchPg(sql, policy, now, batchSize)),
    countByStatus: (q) => run((sql) => countByStatus(sql, q)),
    runBuckets: (q) => run((sql) => runBuckets(sql, q)),
    health: () => healthyStore("postgresql"),
    changeToken: async () => null,
    importRecords: (batch) => session.transaction((sql) => importRecords(sql, batch)),
    ping: () => run(async (sql) => void (await sql("SELECT 1"))),
    replay: (folded) => session.transaction((sql) => replaySpool(sql, folded)),
    close: () => session.close(),
  };
}
