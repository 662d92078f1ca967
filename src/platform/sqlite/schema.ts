import type BetterSqlite3 from "better-sqlite3";
import { HistoryError } from "../../history/errors.js";
import { RUN_STATUSES, RUN_TRIGGERS } from "../../core/run-record.js";

type Db = BetterSqlite3.Database;

/** One schema step. `version` is the `PRAGMA user_version` after `up` ran. */
export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly up: (db: Db) => void;
}

const quoted = (values: readonly string[]): string => values.map((v) => `'${v}'`).join(", ");

/**
 * v1: the `runs` table.
 * - AUTOINCREMENT: ids of pruned records are never reused (log files are named by id).
 * - `runs_slot` (partial, unique): a schedule slot has at most one record.
 * - `runs_task_started`: per-task history, last run, prune by count.
 * - `runs_started`: prune by age, history by time.
 * - `runs_running` (partial): in-flight records, for crash recovery.
 */
const V1 = `
CREATE TABLE runs (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  svc              TEXT    NOT NULL,
  rid              TEXT    NOT NULL,
  trigger          TEXT    NOT NULL CHECK (trigger IN ('manual', 'schedule')),
  scheduled_for    INTEGER,
  started_at       INTEGER NOT NULL,
  ended_at         INTEGER,
  duration_ms      INTEGER,
  exit_code        INTEGER,
  signal           TEXT,
  status           TEXT    NOT NULL CHECK (status IN (${quoted(RUN_STATUSES)})),
  reason           TEXT,
  user             TEXT,
  initiated_by     TEXT,
  session          TEXT,
  command          TEXT,
  pid              INTEGER,
  pid_start_time   INTEGER,
  owner_pid        INTEGER,
  owner_start_time INTEGER,
  log_file         TEXT,
  output_head      TEXT    NOT NULL DEFAULT '',
  output_tail      TEXT    NOT NULL DEFAULT '',
  output_bytes     INTEGER NOT NULL DEFAULT 0,
  stdout_bytes     INTEGER NOT NULL DEFAULT 0,
  stderr_bytes     INTEGER NOT NULL DEFAULT 0,
  truncated        INTEGER NOT NULL DEFAULT 0 CHECK (truncated IN (0, 1)),
  CHECK (trigger <> 'schedule' OR scheduled_for IS NOT NULL),
  CHECK (status = 'running' OR ended_at IS NOT NULL)
);
CREATE UNIQUE INDEX runs_slot ON runs (svc, rid, scheduled_for) WHERE trigger = 'schedule';
CREATE INDEX runs_task_started ON runs (svc, rid, started_at);
CREATE INDEX runs_started ON runs (started_at);
CREATE INDEX runs_running ON runs (status) WHERE status = 'running';
`;

/** v2: `inherit_env`, set when a run got svcmgr's own environment (`run --inherit-env`). */
const V2 = `ALTER TABLE runs ADD COLUMN inherit_env INTEGER NOT NULL DEFAULT 0 CHECK (inherit_env IN (0, 1));`;

/**
 * v3: a slot may have several records, one per attempt.
 * - `attempt` (1 for every v1 record): 2 and more for a retry of a failed or interrupted run
 *   (`retry_of` names the record retried), or for a slot whose instant came again because the
 *   clock was set back (an interval or wildcard schedule keeps its pace: `retry_of` is null).
 * - `runs_slot` becomes unique on (svc, rid, scheduled_for, attempt): one record per attempt.
 */
const V3 = `
ALTER TABLE runs ADD COLUMN attempt INTEGER NOT NULL DEFAULT 1 CHECK (attempt >= 1);
ALTER TABLE runs ADD COLUMN retry_of INTEGER;
DROP INDEX runs_slot;
CREATE UNIQUE INDEX runs_slot ON runs (svc, rid, scheduled_for, attempt) WHERE trigger = 'schedule';
`;

/** v4: `node`, the node name of the svcmgr that wrote the record (null for older records). */
const V4 = `ALTER TABLE runs ADD COLUMN node TEXT;`;

/**
 * v5: the triggers `api` and `oneoff`. SQLite cannot change a CHECK in place: the table is
 * rebuilt (same columns, ids and indexes), and its AUTOINCREMENT counter carried over so that
 * ids of pruned records are still never reused.
 */
const V5 = `
CREATE TABLE runs_v5 (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  svc              TEXT    NOT NULL,
  rid              TEXT    NOT NULL,
  trigger          TEXT    NOT NULL CHECK (trigger IN (${quoted(RUN_TRIGGERS)})),
  scheduled_for    INTEGER,
  started_at       INTEGER NOT NULL,
  ended_at         INTEGER,
  duration_ms      INTEGER,
  exit_code        INTEGER,
  signal           TEXT,
  status           TEXT    NOT NULL CHECK (status IN (${quoted(RUN_STATUSES)})),
  reason           TEXT,
  user             TEXT,
  initiated_by     TEXT,
  session          TEXT,
  command          TEXT,
  pid              INTEGER,
  pid_start_time   INTEGER,
  owner_pid        INTEGER,
  owner_start_time INTEGER,
  log_file         TEXT,
  output_head      TEXT    NOT NULL DEFAULT '',
  output_tail      TEXT    NOT NULL DEFAULT '',
  output_bytes     INTEGER NOT NULL DEFAULT 0,
  stdout_bytes     INTEGER NOT NULL DEFAULT 0,
  stderr_bytes     INTEGER NOT NULL DEFAULT 0,
  truncated        INTEGER NOT NULL DEFAULT 0 CHECK (truncated IN (0, 1)),
  inherit_env      INTEGER NOT NULL DEFAULT 0 CHECK (inherit_env IN (0, 1)),
  attempt          INTEGER NOT NULL DEFAULT 1 CHECK (attempt >= 1),
  retry_of         INTEGER,
  node             TEXT,
  CHECK (trigger <> 'schedule' OR scheduled_for IS NOT NULL),
  CHECK (status = 'running' OR ended_at IS NOT NULL)
);
INSERT INTO runs_v5 SELECT id, svc, rid, trigger, scheduled_for, started_at, ended_at, duration_ms, exit_code, signal, status, reason,
  user, initiated_by, session, command, pid, pid_start_time, owner_pid, owner_start_time, log_file, output_head, output_tail,
  output_bytes, stdout_bytes, stderr_bytes, truncated, inherit_env, attempt, retry_of, node FROM runs;
CREATE TEMP TABLE runs_seq AS SELECT seq FROM sqlite_sequence WHERE name = 'runs';
DROP TABLE runs;
ALTER TABLE runs_v5 RENAME TO runs;
DELETE FROM sqlite_sequence WHERE name = 'runs';
INSERT INTO sqlite_sequence (name, seq) SELECT 'runs', max(coalesce((SELECT seq FROM runs_seq), 0), coalesce((SELECT max(id) FROM runs), 0));
DROP TABLE runs_seq;
CREATE UNIQUE INDEX runs_slot ON runs (svc, rid, scheduled_for, attempt) WHERE trigger = 'schedule';
CREATE INDEX runs_task_started ON runs (svc, rid, started_at);
CREATE INDEX runs_started ON runs (started_at);
CREATE INDEX runs_running ON runs (status) WHERE status = 'running';
`;

/** v6: what a run's cgroup measured: peak memory (bytes) and CPU seconds (null: not measured). */
const V6 = `
ALTER TABLE runs ADD COLUMN peak_memory INTEGER;
ALTER TABLE runs ADD COLUMN cpu_seconds REAL;
`;

/** Ordered, append-only: never edit a released step, add a new one. */
export const migrations: readonly Migration[] = [
  { version: 1, description: "create runs table and indexes", up: (db) => db.exec(V1) },
  { version: 2, description: "record --inherit-env", up: (db) => db.exec(V2) },
  { version: 3, description: "attempts: several records per slot (retries, a clock set back)", up: (db) => db.exec(V3) },
  { version: 4, description: "record the node", up: (db) => db.exec(V4) },
  { version: 5, description: "triggers api and oneoff", up: (db) => db.exec(V5) },
  { version: 6, description: "peak memory and CPU seconds", up: (db) => db.exec(V6) },
];

export const SCHEMA_VERSION = migrations[migrations.length - 1]!.version;

function userVersion(db: Db): number {
  return db.pragma("user_version", { simple: true }) as number;
}

function tooNew(file: string, found: number, known: number): HistoryError {
  return new HistoryError(
    `history database ${file} has schema version ${found}, this svcmgr knows up to ${known}: ` +
      `upgrade svcmgr or point it at another var dir`,
  );
}

function applyStep(db: Db, file: string, m: Migration): void {
  try {
    m.up(db);
  } catch (e) {
    throw new HistoryError(`history database ${file}: migration to schema v${m.version} (${m.description}) failed: ${(e as Error).message}`, { cause: e });
  }
  db.pragma(`user_version = ${m.version}`);
}

/**
 * Brings the database to the last step's version (SCHEMA_VERSION by default). Runs under BEGIN IMMEDIATE and re-reads the
 * version inside the transaction, so two processes opening a fresh file at the same
 * moment migrate it exactly once. Invariant: user_version and the tables change together.
 */
export function migrate(db: Db, file: string, steps: readonly Migration[] = migrations): void {
  const target = steps[steps.length - 1]?.version ?? 0;
  const seen = userVersion(db);
  if (seen > target) throw tooNew(file, seen, target);
  if (seen === target) return;
  db.transaction(() => {
    const current = userVersion(db);
    if (current > target) throw tooNew(file, current, target);
    for (const m of steps) {
      if (m.version <= current) continue;
      applyStep(db, file, m);
    }
  }).immediate();
}
