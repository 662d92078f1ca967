import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { openHistory } from "../../src/platform/sqlite/store.js";
import { migrate, migrations, SCHEMA_VERSION, type Migration } from "../../src/platform/sqlite/schema.js";
import { HistoryError } from "../../src/history/errors.js";
import { HistoryDamagedError } from "../../src/history/damage.js";
import { REFERENCE, tempDir } from "./helpers.js";

const Database = createRequire(import.meta.url)("better-sqlite3") as typeof BetterSqlite3;

function raw(file: string): BetterSqlite3.Database {
  return new Database(file);
}

test("opening a missing file creates directories, tables and the schema version", (t) => {
  const file = join(tempDir(t), "a", "b", "history.sqlite");
  const store = openHistory(file);
  store.close();
  const db = raw(file);
  t.after(() => db.close());
  assert.equal(db.pragma("user_version", { simple: true }), SCHEMA_VERSION);
  assert.equal(db.pragma("journal_mode", { simple: true }), "wal");
  assert.equal(statSync(file).mode & 0o777, 0o640 & ~process.umask());
  const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'runs' AND sql IS NOT NULL ORDER BY name").pluck().all();
  assert.deepEqual(indexes, ["runs_running", "runs_slot", "runs_started", "runs_task_started"]);
});

test("an empty existing file is refused as damaged, not silently started over, and left as it is", (t) => {
  const file = join(tempDir(t), "history.sqlite");
  writeFileSync(file, "");
  assert.throws(() => openHistory(file), (e: unknown) => {
    assert.ok(e instanceof HistoryDamagedError);
    assert.equal(e.exitCode, 2);
    assert.match(e.message, /^the run history database .* is damaged \(it is empty, 0 bytes: every record is lost\).*svcmgr history repair/);
    return true;
  });
  assert.equal(statSync(file).size, 0);
});

test("a database at an older version is migrated in place, keeping its records", (t) => {
  const file = join(tempDir(t), "history.sqlite");
  const db = raw(file);
  t.after(() => db.close());
  migrate(db, file, migrations);
  db.prepare("INSERT INTO runs (svc, rid, trigger, started_at, status) VALUES ('db', 'task#0', 'manual', ?, 'running')").run(REFERENCE);
  const next: Migration = { version: SCHEMA_VERSION + 1, description: "add a note column", up: (d) => d.exec("ALTER TABLE runs ADD COLUMN note TEXT DEFAULT 'n'") };
  migrate(db, file, [...migrations, next]);
  assert.equal(db.pragma("user_version", { simple: true }), SCHEMA_VERSION + 1);
  assert.deepEqual(db.prepare("SELECT svc, note FROM runs").all(), [{ svc: "db", note: "n" }]);
});

test("a hand-made v1 database opens as is", (t) => {
  const file = join(tempDir(t), "history.sqlite");
  const db = raw(file);
  migrations[0]!.up(db);
  db.pragma("user_version = 1");
  db.prepare("INSERT INTO runs (svc, rid, trigger, scheduled_for, started_at, ended_at, status) VALUES ('db', 'task#0', 'schedule', 5, 5, 6, 'succeeded')").run();
  db.close();
  const store = openHistory(file);
  t.after(() => store.close());
  assert.equal(store.lastScheduled("db", "task#0"), 5);
  assert.equal(store.lastRun("db", "task#0")!.durationMs, null);
  const old = store.lastRun("db", "task#0")!;
  assert.deepEqual([old.attempt, old.retryOf], [1, null], "a v1 record is its slot's first attempt");
  assert.equal(old.node, null, "a record from before v4 names no node");
  assert.equal(store.begin({ svc: "db", rid: "task#0", trigger: "schedule", scheduledFor: 5, startedAt: 7 }), null, "the slot keeps its one first attempt");
  const retry = store.begin({ svc: "db", rid: "task#0", trigger: "schedule", scheduledFor: 5, startedAt: 7, attempt: 2, retryOf: old.id });
  assert.notEqual(retry, null, "a second attempt of the slot is its own record");
  assert.deepEqual([store.get(retry!)!.attempt, store.get(retry!)!.retryOf], [2, old.id]);
  assert.equal(store.nextAttempt("db", "task#0", 5), 3);
  assert.equal(store.nextAttempt("db", "task#0", 6), 1);
});

test("a failing migration leaves the database at its previous version", (t) => {
  const file = join(tempDir(t), "history.sqlite");
  const db = raw(file);
  t.after(() => db.close());
  migrate(db, file);
  const bad: Migration = { version: SCHEMA_VERSION + 1, description: "broken step", up: (d) => d.exec("CREATE TABLE x (a); SELECT nope FROM nowhere") };
  assert.throws(() => migrate(db, file, [...migrations, bad]), (e: unknown) => {
    assert.ok(e instanceof HistoryError);
    assert.match(e.message, new RegExp(`^history database .*history\\.sqlite: migration to schema v${SCHEMA_VERSION + 1} \\(broken step\\) failed: no such table: nowhere$`));
    return true;
  });
  assert.equal(db.pragma("user_version", { simple: true }), SCHEMA_VERSION);
  assert.equal(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'x'").pluck().get(), 0);
});

test("a database from a newer svcmgr is refused with a clear error", (t) => {
  const file = join(tempDir(t), "history.sqlite");
  const db = raw(file);
  db.pragma(`user_version = ${SCHEMA_VERSION + 6}`);
  db.close();
  assert.throws(() => openHistory(file), (e: unknown) => {
    assert.ok(e instanceof HistoryError);
    assert.equal(e.exitCode, 2);
    assert.equal(
      e.message,
      `history database ${file} has schema version ${SCHEMA_VERSION + 6}, this svcmgr knows up to ${SCHEMA_VERSION}: ` +
        "upgrade svcmgr or point it at another var dir",
    );
    return true;
  });
});

test("a file that is not a database is refused with the file name", (t) => {
  const file = join(tempDir(t), "history.sqlite");
  writeFileSync(file, "this is not sqlite, just some text long enough to have a header".repeat(20));
  assert.throws(() => openHistory(file), (e: unknown) => {
    assert.ok(e instanceof HistoryDamagedError);
    assert.match(e.message, new RegExp(`^the run history database ${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is damaged \\(file is not a database\\)`));
    return true;
  });
});

test("v4 → v5 (triggers api and oneoff): records and ids kept, and a pruned id is still never reused", (t) => {
  const file = join(tempDir(t), "history.sqlite");
  const db = raw(file);
  migrate(db, file, migrations.slice(0, 4));
  const insert = db.prepare("INSERT INTO runs (svc, rid, trigger, scheduled_for, started_at, ended_at, status, node, attempt) VALUES ('db', 'task#0', 'schedule', ?, ?, ?, 'succeeded', 'n1', ?)");
  for (let i = 1; i <= 3; i++) insert.run(i, i, i + 1, i);
  db.prepare("DELETE FROM runs WHERE id = 3").run(); // the newest record pruned: id 3 must not come back
  assert.throws(() => db.prepare("INSERT INTO runs (svc, rid, trigger, started_at, status) VALUES ('db', 'task#0', 'api', 9, 'running')").run(), /CHECK constraint/);
  db.close();
  const store = openHistory(file);
  t.after(() => store.close());
  assert.deepEqual(store.query().map((r) => [r.id, r.attempt, r.node]), [[2, 2, "n1"], [1, 1, "n1"]]);
  const api = store.begin({ svc: "db", rid: "task#0", trigger: "api", startedAt: 10 });
  assert.equal(api, 4, "ids go on after the pruned one");
  assert.equal(store.get(api!)!.trigger, "api");
  assert.notEqual(store.record({ svc: "db", rid: "task#0", trigger: "oneoff", startedAt: 11, endedAt: 12, status: "succeeded" }), null);
  assert.equal(store.begin({ svc: "db", rid: "task#0", trigger: "schedule", scheduledFor: 2, attempt: 2, startedAt: 13 }), null, "the slot index survives the rebuild");
});
