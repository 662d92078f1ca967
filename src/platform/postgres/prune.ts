import { DEFAULT_PRUNE_BATCH, type PruneBatchResult, type PrunePolicy } from "../../core/history-store.js";
import { checkPrunePolicy } from "../../core/prune-policy.js";
import type { Sql } from "./session.js";

const DAY_MS = 86_400_000;

interface Victim {
  id: number;
  logFile: string | null;
}

/** Records older than the age limit, oldest first (index runs_started). */
async function byAge(sql: Sql, cutoff: number, limit: number): Promise<Victim[]> {
  const r = await sql(`SELECT id, log_file AS "logFile" FROM runs WHERE started_at < $1 AND status <> 'running'
    ORDER BY started_at, id LIMIT $2`, [cutoff, limit]);
  return r.rows as unknown as Victim[];
}

/**
 * Every (svc, rid) of the history, by a loose index scan of runs_task_started: one index probe
 * per task instead of reading every record (PostgreSQL has no skip scan of its own).
 */
const TASKS = `WITH RECURSIVE t AS (
    (SELECT svc, rid FROM runs ORDER BY svc, rid LIMIT 1)
    UNION ALL
    SELECT n.svc, n.rid FROM t, LATERAL (
      SELECT svc, rid FROM runs WHERE (svc, rid) > (t.svc, t.rid) ORDER BY svc, rid LIMIT 1) n
  ) SELECT svc, rid FROM t`;

const NOT_RUN = `status IN ('skipped', 'missed')`;

/**
 * Records beyond the newest `keep` of each task, counted apart for real runs and for skipped or
 * missed records (as the embedded store does). In-flight records count among the kept ones but
 * are never returned.
 */
async function byCount(sql: Sql, keep: number, limit: number, taken: Set<number>): Promise<Victim[]> {
  const tasks = (await sql(TASKS)).rows as Array<{ svc: string; rid: string }>;
  const out: Victim[] = [];
  for (const t of tasks) {
    for (const kind of [`NOT ${NOT_RUN}`, NOT_RUN]) {
      if (out.length >= limit) return out;
      const beyond = await sql(`SELECT id, "logFile" FROM (SELECT id, log_file AS "logFile", status FROM runs
          WHERE svc = $1 AND rid = $2 AND ${kind} ORDER BY started_at DESC, id DESC LIMIT $3 OFFSET $4) b
        WHERE status <> 'running'`, [t.svc, t.rid, limit + taken.size, keep]);
      for (const v of beyond.rows as unknown as Victim[]) {
        if (out.length >= limit) break;
        if (!taken.has(v.id)) out.push(v);
      }
    }
  }
  return out;
}

/**
 * One bounded batch of the retention rules, in the caller's transaction: at most `batchSize`
 * records deleted, so writers never wait long behind it. Returns the log files of what went.
 */
export async function pruneBatchPg(sql: Sql, policy: PrunePolicy, now: number, batchSize = DEFAULT_PRUNE_BATCH): Promise<PruneBatchResult> {
  checkPrunePolicy(policy, batchSize);
  const victims: Victim[] = [];
  if (policy.maxAgeDays !== null) victims.push(...(await byAge(sql, now - policy.maxAgeDays * DAY_MS, batchSize)));
  if (policy.keepPerTask !== null && victims.length < batchSize) {
    const taken = new Set(victims.map((v) => v.id));
    victims.push(...(await byCount(sql, policy.keepPerTask, batchSize - victims.length, taken)));
  }
  const gone = await sql(`DELETE FROM runs WHERE id = ANY($1::bigint[]) AND status <> 'running' RETURNING log_file AS "logFile"`, [victims.map((v) => v.id)]);
  const logFiles = (gone.rows as Array<{ logFile: string | null }>).flatMap((r) => (r.logFile === null ? [] : [r.logFile]));
  return { deleted: gone.rowCount, logFiles, more: victims.length >= batchSize };
}
