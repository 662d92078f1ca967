import type BetterSqlite3 from "better-sqlite3";
import { DEFAULT_PRUNE_BATCH, type PruneBatchResult, type PrunePolicy } from "../../core/history-store.js";
import { checkPrunePolicy } from "../../core/prune-policy.js";

type Db = BetterSqlite3.Database;
type Statement = BetterSqlite3.Statement;

const DAY_MS = 86_400_000;

interface Victim {
  id: number;
  logFile: string | null;
}

/** Records older than the age limit, oldest first (index runs_started). */
function byAge(cached: (sql: string) => Statement, cutoff: number, limit: number): Victim[] {
  return cached(
    `SELECT id, log_file AS logFile FROM runs WHERE started_at < ? AND status <> 'running' ORDER BY started_at LIMIT ?`,
  ).all(cutoff, limit) as Victim[];
}

/** Records where no task process ran: kept apart from real runs by the count rule. */
const NOT_RUN = `status IN ('skipped', 'missed')`;

/**
 * Records beyond the newest `keep` of each task (index runs_task_started), counted apart for
 * real runs and for skipped/missed records: a task skipped at every slot (requirements unmet
 * on a passive node) never pushes its real runs out. In-flight records count among the kept
 * runs but are never returned.
 */
function byCount(cached: (sql: string) => Statement, keep: number, limit: number, taken: Set<number>): Victim[] {
  const tasks = cached(`SELECT DISTINCT svc, rid FROM runs`).all() as { svc: string; rid: string }[];
  const out: Victim[] = [];
  for (const t of tasks) {
    for (const kind of [`NOT ${NOT_RUN}`, NOT_RUN]) {
      if (out.length >= limit) return out;
      const beyond = cached(`SELECT id, logFile FROM (SELECT id, log_file AS logFile, status FROM runs
          WHERE svc = ? AND rid = ? AND ${kind} ORDER BY started_at DESC, id DESC LIMIT ? OFFSET ?) WHERE status <> 'running'`);
      for (const v of beyond.all(t.svc, t.rid, limit + taken.size, keep) as Victim[]) {
        if (out.length >= limit) break;
        if (!taken.has(v.id)) out.push(v);
      }
    }
  }
  return out;
}

/**
 * Deletes at most `batchSize` records in one short write transaction, so a run
 * waiting to be recorded never waits long. Returns the log files of what it deleted.
 */
export function pruneBatch(
  db: Db,
  cached: (sql: string) => Statement,
  policy: PrunePolicy,
  now: number,
  batchSize = DEFAULT_PRUNE_BATCH,
): PruneBatchResult {
  checkPrunePolicy(policy, batchSize);
  const del = cached(`DELETE FROM runs WHERE id = ? AND status <> 'running'`);
  return db.transaction((): PruneBatchResult => {
    const victims: Victim[] = [];
    if (policy.maxAgeDays !== null) victims.push(...byAge(cached, now - policy.maxAgeDays * DAY_MS, batchSize));
    if (policy.keepPerTask !== null && victims.length < batchSize) {
      const taken = new Set(victims.map((v) => v.id));
      victims.push(...byCount(cached, policy.keepPerTask, batchSize - victims.length, taken));
    }
    let deleted = 0;
    const logFiles: string[] = [];
    for (const v of victims) {
      if (del.run(v.id).changes !== 1) continue;
      deleted++;
      if (v.logFile !== null) logFiles.push(v.logFile);
    }
    return { deleted, logFiles, more: victims.length >= batchSize };
  }).immediate();
}
