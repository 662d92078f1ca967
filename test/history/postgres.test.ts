/**
 * What only the PostgreSQL store has (the conformance suite covers what both share): migrations
 * under an advisory lock, a schema from a newer svcmgr refused, the indexes its queries use.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { openPostgresHistory } from "../../src/platform/postgres/store.js";
import { pgMigrations } from "../../src/platform/postgres/schema.js";
import { buildQuery } from "../../src/platform/postgres/sql.js";
import { HistoryError } from "../../src/history/errors.js";
import { freshDatabase, skipUnlessPostgres } from "../helpers/postgres.js";

async function sql<T = Record<string, unknown>>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

describe("PostgreSQL history store", { skip: skipUnlessPostgres(), concurrency: true }, () => {
  test("svcmgr processes opening a fresh database at once migrate it exactly once (advisory lock)", async (t) => {
    const url = await freshDatabase(t);
    const stores = await Promise.all(Array.from({ length: 6 }, () => openPostgresHistory(url)));
    for (const s of stores) await s.close();
    const versions = await sql<{ version: number }>(url, "SELECT version FROM svcmgr_schema ORDER BY version");
    assert.deepEqual(versions.map((v) => v.version), pgMigrations.map((m) => m.version));
    const indexes = await sql<{ indexname: string }>(url, "SELECT indexname FROM pg_indexes WHERE tablename = 'runs' ORDER BY indexname");
    assert.deepEqual(indexes.map((i) => i.indexname), ["runs_pkey", "runs_record_key", "runs_running", "runs_slot", "runs_started", "runs_status_started", "runs_svc_started", "runs_svc_status_started", "runs_task_started"]);
  });

  test("a database from a newer svcmgr is refused with a clear error, its password masked", async (t) => {
    const url = await freshDatabase(t);
    await (await openPostgresHistory(url)).close();
    await sql(url, "INSERT INTO svcmgr_schema (version, description) VALUES (99, 'from the future')");
    await assert.rejects(openPostgresHistory(url), (e: unknown) => {
      assert.ok(e instanceof HistoryError);
      assert.equal(e.exitCode, 2);
      assert.match(e.message, /has schema version 99, this svcmgr knows up to \d+: upgrade svcmgr/);
      assert.ok(!e.message.includes(decodeURIComponent(new URL(url).password)));
      return true;
    });
  });

  test("the history's queries use its indexes, not a scan of every record", async (t) => {
    const url = await freshDatabase(t);
    await (await openPostgresHistory(url)).close();
    // 50,000 records over 100 tasks, then fresh statistics: the planner sees a table worth indexing.
    await sql(url, `INSERT INTO runs (svc, rid, trigger, scheduled_for, started_at, ended_at, status)
      SELECT 'svc' || (i % 10), 'task#' || (i % 10), 'schedule', i, i, i + 1, CASE WHEN i % 97 = 0 THEN 'failed' ELSE 'succeeded' END
      FROM generate_series(1, 50000) AS i`);
    await sql(url, "ANALYZE runs");
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const plan = async ({ text, params }: { text: string; params: unknown[] }) =>
      (await client.query(`EXPLAIN ${text}`, params)).rows.map((r: Record<string, string>) => r["QUERY PLAN"]).join("\n");
    const raw = (text: string) => ({ text, params: [] });
    // The store's own query text (buildQuery), and the fixed statements of its other reads.
    const cases: Array<[{ text: string; params: unknown[] }, RegExp]> = [
      [buildQuery({ limit: 20 }), /runs_started/],
      [buildQuery({ svc: "svc1", rid: "task#1", limit: 20 }), /runs_task_started/],
      [buildQuery({ svc: "svc1", limit: 20 }), /runs_svc_started/],
      [buildQuery({ status: "failed", limit: 20 }), /runs_status_started/],
      [buildQuery({ since: 49_000, limit: 20 }), /runs_started/],
      [raw("SELECT * FROM runs WHERE status = 'running' ORDER BY started_at, id"), /runs_running/],
      [raw("SELECT max(scheduled_for) FROM runs WHERE svc = 'svc1' AND rid = 'task#1' AND trigger = 'schedule'"), /runs_slot|runs_task_started/],
    ];
    try {
      for (const [query, index] of cases) {
        const p = await plan(query);
        assert.match(p, index, `${query.text}\n${p}`);
        assert.doesNotMatch(p, /Seq Scan/, `${query.text}\n${p}`);
      }
    } finally {
      await client.end(); // before the database is dropped
    }
  });

  test("a connection the server dropped is replaced at the next call", async (t) => {
    const url = await freshDatabase(t);
    const history = await openPostgresHistory(url);
    t.after(() => history.close());
    const id = (await history.record({ svc: "db", rid: "task#0", trigger: "manual", startedAt: 1, endedAt: 2, status: "succeeded" }))!;
    const db = new URL(url).pathname.slice(1);
    const killed = await sql<{ n: number }>(url, `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = '${db}' AND pid <> pg_backend_pid()`);
    assert.equal(killed[0]!.n, 1, "the store's one connection");
    // The call that meets the dead connection may fail (the store cannot know it died before using it); the next one reconnects.
    const first = await history.get(id).then((r) => r, (e: Error) => e);
    if (first instanceof Error) assert.match(first.message, /^history store postgresql:\/\/postgres:\*\*\*@.*: (query failed|cannot connect): /);
    assert.equal((await history.get(id))!.status, "succeeded");
    assert.notEqual(await history.begin({ svc: "db", rid: "task#0", trigger: "manual", startedAt: 3 }), null);
  });
});
