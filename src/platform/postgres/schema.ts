import { HistoryError } from "../../history/errors.js";
import { RUN_STATUSES, RUN_TRIGGERS } from "../../core/run-record.js";
import type { Sql } from "./session.js";

/** One schema step: `version` is recorded in `svcmgr_schema` once `sql` ran. */
export interface PgMigration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

const quoted = (values: readonly string[]): string => values.map((v) => `'${v}'`).join(", ");

/**
 * v1: the `runs` table, with the columns of the embedded store's (schema v4) and native types.
 * - ids from an identity: never reused once pruned (output logs are named by id).
 * - `runs_slot` (partial, unique): a schedule slot has at most one record per attempt.
 * - `runs_task_started`: a task's history, last run, prune by count (newest first).
 * - `runs_svc_started`: a service's history (`print history -s SVC`), newest first.
 * - `runs_started`: the whole history newest first, prune by age.
 * - `runs_status_started`: the history filtered by status, newest first.
 * - `runs_running` (partial): in-flight records, for crash recovery.
 */
const V1 = `
CREATE TABLE runs (
  id               BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  svc              TEXT    NOT NULL,
  rid              TEXT    NOT NULL,
  trigger          TEXT    NOT NULL CHECK (trigger IN ('manual', 'schedule')),
  scheduled_for    BIGINT,
  attempt          INTEGER NOT NULL DEFAULT 1 CHECK (attempt >= 1),
  retry_of         BIGINT,
  started_at       BIGINT  NOT NULL,
  ended_at         BIGINT,
  duration_ms      BIGINT,
  exit_code        INTEGER,
  signal           TEXT,
  status           TEXT    NOT NULL CHECK (status IN (${quoted(RUN_STATUSES)})),
  reason           TEXT,
  "user"           TEXT,
  initiated_by     TEXT,
  session          TEXT,
  command          TEXT,
  pid              INTEGER,
  pid_start_time   BIGINT,
  owner_pid        INTEGER,
  owner_start_time BIGINT,
  log_file         TEXT,
  output_head      TEXT    NOT NULL DEFAULT '',
  output_tail      TEXT    NOT NULL DEFAULT '',
  output_bytes     BIGINT  NOT NULL DEFAULT 0,
  stdout_bytes     BIGINT  NOT NULL DEFAULT 0,
  stderr_bytes     BIGINT  NOT NULL DEFAULT 0,
  truncated        BOOLEAN NOT NULL DEFAULT false,
  inherit_env      BOOLEAN NOT NULL DEFAULT false,
  node             TEXT,
  CHECK (trigger <> 'schedule' OR scheduled_for IS NOT NULL),
  CHECK (status = 'running' OR ended_at IS NOT NULL)
);
CREATE UNIQUE INDEX runs_slot ON runs (svc, rid, scheduled_for, attempt) WHERE trigger = 'schedule';
CREATE INDEX runs_task_started ON runs (svc, rid, started_at DESC, id DESC);
CREATE INDEX runs_svc_started ON runs (svc, started_at DESC, id DESC);
CREATE INDEX runs_started ON runs (started_at DESC, id DESC);
CREATE INDEX runs_status_started ON runs (status, started_at DESC, id DESC);
CREATE INDEX runs_running ON runs (started_at, id) WHERE status = 'running';
`;

/** v2: the triggers `api` and `oneoff`. */
const V2 = `
ALTER TABLE runs DROP CONSTRAINT runs_trigger_check;
ALTER TABLE runs ADD CONSTRAINT runs_trigger_check CHECK (trigger IN (${quoted(RUN_TRIGGERS)}));
`;

/**
 * v3: `record_key`, the stable key of a record written by a daemon that spools (a UUID): a
 * replayed record the table already holds is recognised by it (unique, partial: records
 * without a key, written by the CLI or an older svcmgr, are not indexed).
 */
const V3 = `
ALTER TABLE runs ADD COLUMN record_key UUID;
CREATE UNIQUE INDEX runs_record_key ON runs (record_key) WHERE record_key IS NOT NULL;
`;

/** v4: a service's history filtered by status, newest first (`print history -s SVC --status …`, one branch per status). */
const V4 = `CREATE INDEX runs_svc_status_started ON runs (svc, status, started_at DESC, id DESC);`;

/** v5: what a run's cgroup measured: peak memory (bytes) and CPU seconds (null: not measured). */
const V5 = `
ALTER TABLE runs ADD COLUMN peak_memory BIGINT;
ALTER TABLE runs ADD COLUMN cpu_seconds DOUBLE PRECISION;
`;

/** Ordered, append-only: never edit a released step, add a new one. */
export const pgMigrations: readonly PgMigration[] = [
  { version: 1, description: "create runs table and indexes", sql: V1 },
  { version: 2, description: "triggers api and oneoff", sql: V2 },
  { version: 3, description: "add runs.record_key", sql: V3 },
  { version: 4, description: "index runs by service and status", sql: V4 },
  { version: 5, description: "peak memory and CPU seconds", sql: V5 },
];

/** The advisory lock every svcmgr migrating this database takes (an arbitrary, fixed key: "svcmgr" in ASCII). */
const MIGRATION_LOCK = 0x73766d6772;

const VERSIONS = `CREATE TABLE IF NOT EXISTS svcmgr_schema (
  version     INTEGER PRIMARY KEY,
  description TEXT    NOT NULL,
  applied_at  TIMESTAMPTZ NOT NULL DEFAULT now()
)`;

async function currentVersion(sql: Sql): Promise<number> {
  const exists = await sql(`SELECT to_regclass('svcmgr_schema') IS NOT NULL AS present`);
  if (exists.rows[0]!.present !== true) return 0;
  const r = await sql(`SELECT coalesce(max(version), 0) AS v FROM svcmgr_schema`);
  return Number(r.rows[0]!.v);
}

function tooNew(where: string, found: number, known: number): HistoryError {
  return new HistoryError(`history store ${where} has schema version ${found}, this svcmgr knows up to ${known}: upgrade svcmgr or point it at another database`);
}

/**
 * Brings the database to the last step's version, in one transaction under an advisory lock:
 * svcmgr processes starting at once (daemons of several nodes, a CLI) migrate it exactly once,
 * the others wait for the lock, then find it done. Invariant: svcmgr_schema and the tables
 * change together (DDL is transactional in PostgreSQL).
 * `where` names the store (its URL, password masked) in errors.
 */
export async function migratePg(run: (work: (sql: Sql) => Promise<void>) => Promise<void>, where: string, steps: readonly PgMigration[] = pgMigrations): Promise<void> {
  const target = steps[steps.length - 1]?.version ?? 0;
  await run(async (sql) => {
    await sql(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    const seen = await currentVersion(sql);
    if (seen > target) throw tooNew(where, seen, target);
    if (seen === target) return;
    await sql(VERSIONS);
    for (const m of steps) {
      if (m.version <= seen) continue;
      try {
        await sql(m.sql);
      } catch (e) {
        throw new HistoryError(`history store ${where}: migration to schema v${m.version} (${m.description}) failed: ${(e as Error).message}`);
      }
      await sql(`INSERT INTO svcmgr_schema (version, description) VALUES ($1, $2)`, [m.version, m.description]);
    }
  });
}
