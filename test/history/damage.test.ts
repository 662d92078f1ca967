import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, openSync, readdirSync, statSync, writeFileSync, writeSync, closeSync } from "node:fs";
import { join } from "node:path";
import { openHistory } from "../../src/platform/sqlite/store.js";
import { HistoryDamagedError, damagedName } from "../../src/history/damage.js";
import { moveAside } from "../../src/platform/sqlite/move-aside.js";
import { manual, tempDir } from "./helpers.js";

/** A real history with enough records to span many pages, closed (its WAL folded into the file). */
function filledHistory(dir: string): string {
  const file = join(dir, "history.sqlite");
  const store = openHistory(file);
  store.transaction(() => {
    for (let i = 0; i < 500; i++) store.begin(manual({ command: `echo ${"x".repeat(200)} ${i}` }));
  });
  store.close();
  return file;
}

/** Overwrites every page after the first (the header and schema stay readable). */
function scribbleOverPages(file: string): void {
  const fd = openSync(file, "r+");
  const junk = Buffer.alloc(statSync(file).size - 4096, 0xa5);
  writeSync(fd, junk, 0, junk.length, 4096);
  closeSync(fd);
}

const isDamaged = (file: string) => (e: unknown) => {
  assert.ok(e instanceof HistoryDamagedError, String(e));
  assert.equal(e.exitCode, 2);
  assert.equal(e.file, file);
  assert.match(e.message, /is damaged \(.+\); svcmgr will not read or write it\. .*svcmgr history repair/);
  assert.doesNotMatch(e.message, /\n/);
  return true;
};

test("garbage inside a database: its first use says the history is damaged, never a bare SQLite error", (t) => {
  const file = filledHistory(tempDir(t));
  scribbleOverPages(file);
  assert.throws(() => {
    const store = openHistory(file);
    try {
      store.query({});
    } finally {
      store.close();
    }
  }, isDamaged(file));
});

test("the daemon's check (verify) reads every page: damage in pages a query would not reach is found at open", (t) => {
  const file = filledHistory(tempDir(t));
  const store = openHistory(file);
  store.close();
  scribbleOverPages(file);
  assert.throws(() => openHistory(file, { verify: true }), isDamaged(file));
});

test("a sound database passes the check and keeps its records", (t) => {
  const file = filledHistory(tempDir(t));
  const store = openHistory(file, { verify: true });
  t.after(() => store.close());
  assert.equal(store.query({ limit: 1000 }).length, 500);
});

test("a file that is not a database at all is refused as damaged, and left as it is", (t) => {
  const file = join(tempDir(t), "history.sqlite");
  writeFileSync(file, "garbage ".repeat(1000));
  assert.throws(() => openHistory(file), isDamaged(file));
  assert.equal(statSync(file).size, 8000);
});

test("moving aside keeps the damaged file and its WAL under one new name; the next open starts a new history", (t) => {
  const dir = tempDir(t);
  const file = join(dir, "history.sqlite");
  writeFileSync(file, "");
  writeFileSync(`${file}-wal`, "wal");
  const now = Date.parse("2026-12-07T16:45:12.345Z");
  const dest = moveAside(file, now);
  assert.equal(dest, `${file}.damaged-2026-12-07T164512Z`);
  assert.equal(dest, damagedName(file, now));
  assert.ok(existsSync(dest) && existsSync(`${dest}-wal`));
  assert.ok(!existsSync(file) && !existsSync(`${file}-wal`));
  const store = openHistory(file);
  t.after(() => store.close());
  assert.deepEqual(store.query({}), []);
});

test("a new database appears whole: made under a private name, linked into place, nothing left behind", (t) => {
  const dir = tempDir(t);
  const file = join(dir, "var", "history.sqlite");
  openHistory(file).close();
  assert.ok(statSync(file).size > 0, "never an empty file at the database's name");
  assert.equal(statSync(file).mode & 0o777, 0o640 & ~process.umask());
  assert.deepEqual(readdirSync(join(dir, "var")), ["history.sqlite"]);
});
