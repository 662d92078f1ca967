/**
 * A history on a filesystem that is full (a real tmpfs, root only): a write that SQLite cannot
 * commit must fail loudly, so the daemon holds it and writes it once space is back, instead of
 * returning an id for a row that was rolled back.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openHistory } from "../../src/platform/sqlite/store.js";
import { skipUnlessRoot } from "../helpers/require-all.js";
import { mountTmpfs } from "../helpers/tmpfs.js";
import { manual } from "./helpers.js";

test("record and begin on a full disk throw instead of returning the id of a rolled-back row", { skip: skipUnlessRoot("mounts a tmpfs") }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), "svcmgr-history-"));
  const fs = mountTmpfs(join(dir, "var"), 2 << 20);
  const store = openHistory(join(fs.dir, "history.sqlite"));
  t.after(() => {
    store.close();
    fs.unmount();
    rmSync(dir, { recursive: true, force: true });
  });
  const first = store.begin(manual());
  assert.ok(first !== null);
  fs.fill();
  const complete = { ...manual({ startedAt: manual().startedAt + 1 }), status: "skipped" as const, endedAt: manual().startedAt + 1, reason: "x" };
  // Enough rows to need a new page: the first few may fit in pages SQLite already holds.
  assert.throws(() => {
    for (let i = 0; i < 2000; i++) store.record({ ...complete, reason: "y".repeat(500) + i });
  }, /full|disk/);
  assert.throws(() => {
    for (let i = 0; i < 2000; i++) store.begin(manual({ startedAt: manual().startedAt + 10 + i, initiatedBy: "z".repeat(500) }));
  }, /full|disk/);
  fs.free();
  const rows = store.query({ limit: 5000 });
  const ids = new Set(rows.map((r) => r.id));
  assert.equal(ids.size, rows.length, "no id handed out twice");
  const after = store.record(complete);
  assert.ok(after !== null && store.get(after) !== null, "a write after space is back is kept");
});
