import { accessSync, closeSync, constants, fchmodSync, linkSync, lstatSync, openSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import type BetterSqlite3 from "better-sqlite3";
import { HistoryError } from "../../history/errors.js";
import { PermissionError } from "../../core/errors.js";
import { HistoryDamagedError } from "../../history/damage.js";
import { asDamage, guardDamage } from "./damage-guard.js";
import { migrate } from "./schema.js";
import { fromRow, outcomeParams, newRunParams, SELECT_RUN, type RunRow } from "./rows.js";
import type { HistoryQuery, PruneBatchResult, PrunePolicy, RemoveResult, RunBucket } from "../../core/history-store.js";
import { buildQuery } from "./query.js";
import { pruneBatch } from "./prune-sql.js";
import { BUCKET_MS, FAILED_STATUSES, RAN_STATUSES } from "../../core/history-store.js";
import { RUN_STATUSES, type CompleteRun, type NewRun, type RunOutcome, type RunRecord, type RunStatus } from "../../core/run-record.js";
import { sleepSync } from "../sleep-sync.js";
import { ensureDir, NOFOLLOW } from "../fs-util.js";

type Db = BetterSqlite3.Database;
type Statement = BetterSqlite3.Statement;

/** A writer waits up to this long for another process's write transaction (CLI vs daemon). */
export const BUSY_TIMEOUT_MS = 10_000;

/**
 * The embedded history, synchronous (better-sqlite3): history-store.ts gives it the
 * asynchronous HistoryStore interface the rest of svcmgr uses.
 */
export interface SqliteHistory {
  /**
   * Inserts an in-flight record. Null when that schedule slot already has a record.
   * With `logFileFor`, the record's output log path (derived from its id) is set in the
   * same transaction.
   */
  begin(run: NewRun, logFileFor?: (id: number) => string): number | null;
  setLogFile(id: number, logFile: string): void;
  setPid(id: number, pid: number, pidStartTime: number | null): void;
  /** Makes an in-flight record final. False when the record is not in flight (already final). */
  finish(id: number, outcome: RunOutcome): boolean;
  /** Inserts a record that is already final. Null when that schedule slot already has a record. */
  record(run: CompleteRun): number | null;
  get(id: number): RunRecord | null;
  /** Newest first (startedAt, then id). */
  query(q?: HistoryQuery): RunRecord[];
  /** The newest final record of a task; with `ranOnly`, skipped and missed records are passed over. */
  lastRun(svc: string, rid: string, opts?: { ranOnly?: boolean }): RunRecord | null;
  /** The newest slot recorded for a task (any status), or null. */
  lastScheduled(svc: string, rid: string): number | null;
  /** The attempt number a new record of this slot gets (1 when the slot has none). */
  nextAttempt(svc: string, rid: string, scheduledFor: number): number;
  /** The latest attempt of the task's newest recorded slot, or null. */
  lastAttempt(svc: string, rid: string): RunRecord | null;
  /** Records still `running`, oldest first. */
  inFlight(): RunRecord[];
  /** Final status `interrupted`, only if still in flight. False otherwise. */
  markInterrupted(id: number, reason: string, endedAt: number): boolean;
  /** HistoryStore.remove. */
  remove(id: number): RemoveResult;
  /** One bounded batch; call again while `more`. Never deletes in-flight records. */
  prune(policy: PrunePolicy, now: number, batchSize?: number): PruneBatchResult;
  countByStatus(q?: Pick<HistoryQuery, "svc" | "rid" | "since" | "until">): Record<RunStatus, number>;
  /** Runs per task and quarter hour of their start (HistoryStore.runBuckets). */
  runBuckets(q?: Pick<HistoryQuery, "svc" | "rid" | "since" | "until">): RunBucket[];
  /** Up to `limit` records with an id above `afterId`, by id (a copy to another store, page by page). */
  runsAfter(afterId: number, limit: number): RunRecord[];
  /** Runs `fn` in one write transaction (one commit for all its writes). */
  transaction(fn: () => void): void;
  /** SQLite's data_version: changes when another connection commits (this one's writes are counted by the caller). */
  dataVersion(): number;
  close(): void;
}

/**
 * The driver's compiled addon, located directly: the default lookup (the `bindings` package)
 * probes a dozen paths and costs ~10 ms on every CLI call. The driver's JavaScript is bundled
 * with svcmgr; only the addon is loaded from node_modules. Undefined: let the driver search.
 */
function nativeBinding(): string | undefined {
  try {
    return fileURLToPath(import.meta.resolve("better-sqlite3/build/Release/better_sqlite3.node"));
  } catch {
    return undefined; // an unusual build layout
  }
}

/** Opens an existing database file (never creates one: see createIfMissing). */
function connect(file: string): Db {
  const binding = nativeBinding();
  try {
    closeSync(openSync(file, NOFOLLOW.rewrite)); // never through a symlink planted at its name (ELOOP)
    const db = new Database(file, { timeout: BUSY_TIMEOUT_MS, fileMustExist: true, ...(binding === undefined ? {} : { nativeBinding: binding }) });
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    switchToWal(db, Date.now() + BUSY_TIMEOUT_MS);
    db.pragma("synchronous = NORMAL");
    return db;
  } catch (e) {
    const damage = asDamage(e, file);
    if (damage !== e) throw damage;
    if (isDenied(file)) throw new PermissionError(`permission denied: this user (uid ${process.getuid?.()}) cannot read and write the run history database ${file}; run as root, or use --root DIR on a directory you own`, { cause: e });
    throw new HistoryError(`cannot open history database ${file}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * A new database is made whole under a private name, then linked into place (link never
 * replaces a file): a database at `file` is never half-made, so an empty file there is damage,
 * not another process's creation in progress. When two processes create it at once, the first
 * link wins and the other opens that one.
 */
function createIfMissing(file: string): void {
  if (exists(file)) return;
  ensureDir(dirname(file)); // task users may need to reach their own var dirs below it
  const fresh = `${file}.new-${process.pid}`;
  rmSync(fresh, { force: true }); // left by a process of the same pid that died mid-way
  try {
    const fd = openSync(fresh, "wx", 0o640); // O_EXCL: never through a symlink
    fchmodSync(fd, 0o640); // records hold task output: not world-readable, whatever the umask (-wal/-shm follow)
    closeSync(fd);
    const db = connect(fresh);
    try {
      migrate(db, file);
    } finally {
      db.close(); // checkpoints the WAL into the file: it is complete before it is linked
    }
    linkSync(fresh, file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw asHistoryError(e, file);
  } finally {
    rmSync(fresh, { force: true });
  }
}

function isDenied(file: string): boolean {
  try {
    accessSync(file, constants.R_OK | constants.W_OK);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EACCES" || (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function exists(file: string): boolean {
  try {
    lstatSync(file); // a symlink planted there exists too: it is refused at open, not replaced
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw asHistoryError(e, file);
  }
}

/** A database file is never empty once linked into place (createIfMissing): an empty one lost its content. */
function refuseEmpty(file: string): void {
  let size: number;
  try {
    size = lstatSync(file).size;
  } catch (e) {
    throw asHistoryError(e, file);
  }
  if (size === 0) throw new HistoryDamagedError(file, "it is empty, 0 bytes: every record is lost");
}

function asHistoryError(e: unknown, file: string): unknown {
  if (e instanceof HistoryError) return e;
  return new HistoryError(`cannot use history database ${file}: ${(e as Error).message}`, { cause: e });
}

/**
 * `PRAGMA journal_mode = WAL` needs the file to itself, and SQLite answers SQLITE_BUSY at once
 * instead of waiting when two connections switch a fresh file at the same moment (each holds
 * what the other waits for). The switch is idempotent: try again until `deadline`.
 */
export function switchToWal(db: Pick<Db, "pragma">, deadline: number, sleep: (ms: number) => void = sleepSync): void {
  for (let pause = 5; ; pause = Math.min(2 * pause, 100)) {
    try {
      db.pragma("journal_mode = WAL");
      return;
    } catch (e) {
      if ((e as { code?: string }).code !== "SQLITE_BUSY" || Date.now() + pause > deadline) throw e;
    }
    sleep(pause);
  }
}

/**
 * Opens (creating and migrating as needed) the run history at `file`; refuses a damaged one
 * (HistoryDamagedError), with `verify` after checking every page (the daemon, at start).
 * WAL + synchronous=NORMAL: a committed record survives a crash of the process
 * (kill -9); readers never block the writer; writers from several processes queue
 * on busy_timeout instead of failing.
 */
export function openHistory(file: string, options: { verify?: boolean } = {}): SqliteHistory {
  createIfMissing(file);
  refuseEmpty(file);
  const db = connect(file);
  try {
    migrate(db, file);
    if (options.verify === true) verify(db, file);
    return guardDamage(makeStore(db), db, file);
  } catch (e) {
    db.close();
    throw asHistoryError(asDamage(e, file), file);
  }
}

/** SQLite's quick check (every page and index entry readable and consistent), for the daemon's start. */
function verify(db: Db, file: string): void {
  const rows = db.pragma("quick_check(5)") as { quick_check: string }[];
  const problems = rows.map((r) => r.quick_check.replace(/\s*\n\s*/g, " ")).filter((r) => r !== "ok");
  if (problems.length > 0) throw new HistoryDamagedError(file, problems.join("; "));
}


function prepareAll(db: Db) {
  const p = (sql: string): Statement => db.prepare(sql);
  return {
    begin: p(`INSERT INTO runs (svc, rid, trigger, scheduled_for, attempt, retry_of, started_at, status, user, initiated_by, session,
        command, owner_pid, owner_start_time, log_file, inherit_env, node)
      VALUES (@svc, @rid, @trigger, @scheduledFor, @attempt, @retryOf, @startedAt, 'running', @user, @initiatedBy, @session,
        @command, @ownerPid, @ownerStartTime, @logFile, @inheritedEnv, @node)
      ON CONFLICT DO NOTHING RETURNING id`),
    record: p(`INSERT INTO runs (svc, rid, trigger, scheduled_for, attempt, retry_of, started_at, status, user, initiated_by, session,
        command, log_file, ended_at, duration_ms, exit_code, signal, reason,
        output_head, output_tail, output_bytes, stdout_bytes, stderr_bytes, truncated, inherit_env, node, peak_memory, cpu_seconds)
      VALUES (@svc, @rid, @trigger, @scheduledFor, @attempt, @retryOf, @startedAt, @status, @user, @initiatedBy, @session,
        @command, @logFile, @endedAt, @endedAt - @startedAt, @exitCode, @signal, @reason,
        @outputHead, @outputTail, @outputBytes, @stdoutBytes, @stderrBytes, @truncated, @inheritedEnv, @node, @peakMemory, @cpuSeconds)
      ON CONFLICT DO NOTHING RETURNING id`),
    finish: p(`UPDATE runs SET status = @status, ended_at = @endedAt, duration_ms = @endedAt - started_at,
        exit_code = @exitCode, signal = @signal, reason = @reason, output_head = @outputHead,
        output_tail = @outputTail, output_bytes = @outputBytes, stdout_bytes = @stdoutBytes,
        stderr_bytes = @stderrBytes, truncated = @truncated, peak_memory = @peakMemory, cpu_seconds = @cpuSeconds
      WHERE id = @id AND status = 'running'`),
    setLogFile: p(`UPDATE runs SET log_file = ? WHERE id = ?`),
    setPid: p(`UPDATE runs SET pid = ?, pid_start_time = ? WHERE id = ?`),
    interrupt: p(`UPDATE runs SET status = 'interrupted', reason = ?, ended_at = ?, duration_ms = max(0, ? - started_at)
      WHERE id = ? AND status = 'running'`),
    get: p(`${SELECT_RUN} WHERE id = ?`),
    lastRun: p(`${SELECT_RUN} WHERE svc = ? AND rid = ? AND status <> 'running' ORDER BY started_at DESC, id DESC LIMIT 1`),
    lastRan: p(`${SELECT_RUN} WHERE svc = ? AND rid = ? AND status NOT IN ('running', 'skipped', 'missed')
      ORDER BY started_at DESC, id DESC LIMIT 1`),
    lastScheduled: p(`SELECT max(scheduled_for) AS at FROM runs WHERE svc = ? AND rid = ? AND trigger = 'schedule'`),
    nextAttempt: p(`SELECT coalesce(max(attempt), 0) + 1 AS n FROM runs WHERE svc = ? AND rid = ? AND scheduled_for = ? AND trigger = 'schedule'`),
    lastAttempt: p(`${SELECT_RUN} WHERE svc = ? AND rid = ? AND trigger = 'schedule'
      ORDER BY scheduled_for DESC, attempt DESC LIMIT 1`),
    inFlight: p(`${SELECT_RUN} WHERE status = 'running' ORDER BY started_at, id`),
  };
}

function makeStore(db: Db): SqliteHistory {
  const st = prepareAll(db);
  const cache = new Map<string, Statement>();
  const cached = (sql: string): Statement => {
    let s = cache.get(sql);
    if (s === undefined) cache.set(sql, (s = db.prepare(sql)));
    return s;
  };
  const one = (s: Statement, ...args: unknown[]): RunRecord | null => {
    const row = s.get(...args) as RunRow | undefined;
    return row === undefined ? null : fromRow(row);
  };
  // INSERT … RETURNING is run to completion (.all): .get resets the statement after its row, and
  // an autocommit that fails there (a full disk) would be rolled back without an error.
  const insertedId = (s: Statement, params: unknown): number | null => (s.all(params) as Array<{ id: number }>)[0]?.id ?? null;
  const beginWithLog = db.transaction((run: NewRun, logFileFor: (id: number) => string): number | null => {
    const id = insertedId(st.begin, newRunParams(run));
    if (id !== null) st.setLogFile.run(logFileFor(id), id);
    return id;
  });
  const inTransaction = db.transaction((fn: () => void) => fn());
  return {
    begin: (run, logFileFor) => {
      if (logFileFor === undefined) return insertedId(st.begin, newRunParams(run));
      return beginWithLog(run, logFileFor);
    },
    setLogFile: (id, logFile) => void st.setLogFile.run(logFile, id),
    setPid: (id, pid, pidStartTime) => void st.setPid.run(pid, pidStartTime, id),
    finish: (id, outcome) => st.finish.run({ id, ...outcomeParams(outcome) }).changes === 1,
    record: (run) => insertedId(st.record, { ...newRunParams(run), ...outcomeParams(run) }),
    get: (id) => one(st.get, id),
    query: (q = {}) => {
      const { sql, params } = buildQuery(q);
      return (cached(sql).all(...params) as RunRow[]).map(fromRow);
    },
    lastRun: (svc, rid, opts) => one(opts?.ranOnly === true ? st.lastRan : st.lastRun, svc, rid),
    lastScheduled: (svc, rid) => (st.lastScheduled.get(svc, rid) as { at: number | null }).at,
    nextAttempt: (svc, rid, scheduledFor) => (st.nextAttempt.get(svc, rid, scheduledFor) as { n: number }).n,
    lastAttempt: (svc, rid) => one(st.lastAttempt, svc, rid),
    inFlight: () => (st.inFlight.all() as RunRow[]).map(fromRow),
    markInterrupted: (id, reason, endedAt) => st.interrupt.run(reason, endedAt, endedAt, id).changes === 1,
    remove: (id) => {
      if (cached(`DELETE FROM runs WHERE id = ? AND status <> 'running'`).run(id).changes === 1) return "removed";
      return cached(`SELECT 1 FROM runs WHERE id = ?`).get(id) === undefined ? "absent" : "running";
    },
    prune: (policy, now, batchSize) => pruneBatch(db, cached, policy, now, batchSize),
    countByStatus: (q = {}) => countByStatus(cached, q),
    runBuckets: (q = {}) => runBuckets(cached, q),
    runsAfter: (afterId, limit) => (cached(`${SELECT_RUN} WHERE id > ? ORDER BY id LIMIT ?`).all(afterId, limit) as RunRow[]).map(fromRow),
    transaction: (fn) => inTransaction.immediate(fn),
    dataVersion: () => cached("PRAGMA data_version").pluck().get() as number,
    close: () => db.close(),
  };
}

function countByStatus(cached: (sql: string) => Statement, q: Pick<HistoryQuery, "svc" | "rid" | "since" | "until">) {
  const { where, params } = buildQuery(q);
  const rows = cached(`SELECT status, count(*) AS n FROM runs ${where} GROUP BY status`).all(...params) as {
    status: RunStatus;
    n: number;
  }[];
  const counts = Object.fromEntries(RUN_STATUSES.map((s) => [s, 0])) as Record<RunStatus, number>;
  for (const r of rows) counts[r.status] = r.n;
  return counts;
}

const sqlList = (list: readonly string[]): string => list.map((v) => `'${v}'`).join(", ");

/** Statuses are constants, written into the text; the filters are parameters. */
function runBuckets(cached: (sql: string) => Statement, q: Pick<HistoryQuery, "svc" | "rid" | "since" | "until">): RunBucket[] {
  const { where, params } = buildQuery(q);
  const ran = `status IN (${sqlList(RAN_STATUSES)})`;
  return cached(`SELECT svc, rid, (started_at / ${BUCKET_MS}) * ${BUCKET_MS} AS start, count(*) AS runs,
      sum(status IN (${sqlList(FAILED_STATUSES)})) AS failures, coalesce(sum(duration_ms), 0) AS durationMsSum,
      max(duration_ms) AS durationMsMax, count(duration_ms) AS timed
    FROM runs ${where === "" ? `WHERE ${ran}` : `${where} AND ${ran}`}
    GROUP BY svc, rid, start ORDER BY svc, rid, start`).all(...params) as RunBucket[];
}
