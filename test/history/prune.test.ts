import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { SqliteHistory as HistoryStore } from "../../src/platform/sqlite/store.js";
import { pruneHistory } from "../../src/history/prune.js";
import { DAY, HOUR, MINUTE, REFERENCE, scheduled, manual, tempStore } from "./helpers.js";

/** `n` finished runs of one task, one per hour before REFERENCE, each with a log file. */
function fill(store: HistoryStore, dir: string, rid: string, n: number): number[] {
  mkdirSync(join(dir, "logs"), { recursive: true });
  const ids: number[] = [];
  for (let i = n; i >= 1; i--) {
    const at = REFERENCE - i * HOUR;
    const id = store.begin(scheduled(at, { rid }))!;
    const logFile = join(dir, "logs", `${id}.log`);
    writeFileSync(logFile, "out\n");
    store.setLogFile(id, logFile);
    store.finish(id, { status: "succeeded", endedAt: at + 1 });
    ids.push(id);
  }
  return ids;
}

test("prune by count keeps the newest N per task, in bounded batches", (t) => {
  const { store, dir } = tempStore(t);
  const a = fill(store, dir, "task#0", 30);
  const b = fill(store, dir, "task#1", 4);
  const running = store.begin(scheduled(REFERENCE - 100 * HOUR, { rid: "task#0" }))!; // oldest of all, still in flight
  const policy = { keepPerTask: 5, maxAgeDays: null };

  const first = store.prune(policy, REFERENCE, 10);
  assert.deepEqual([first.deleted, first.logFiles.length, first.more], [10, 10, true]);
  const second = store.prune(policy, REFERENCE, 10);
  assert.deepEqual([second.deleted, second.more], [10, true]);
  const third = store.prune(policy, REFERENCE, 10);
  assert.deepEqual([third.deleted, third.more], [5, false]);

  assert.deepEqual(store.query({ rid: "task#0" }).map((r) => r.id), [...a.slice(-5).reverse(), running]);
  assert.deepEqual(store.query({ rid: "task#1" }).map((r) => r.id), [...b].reverse(), "under the limit: untouched");
  const pruned = [...first.logFiles, ...second.logFiles, ...third.logFiles].sort();
  assert.deepEqual(pruned, a.slice(0, 25).map((id) => join(dir, "logs", `${id}.log`)).sort());
});

test("prune by age keeps in-flight records, however old", (t) => {
  const { store, dir } = tempStore(t);
  fill(store, dir, "task#0", 10); // REFERENCE-10h .. REFERENCE-1h
  const oldRunning = store.begin(manual({ startedAt: REFERENCE - 400 * DAY }))!;
  const oldDone = store.record({ ...manual({ startedAt: REFERENCE - 3 * DAY }), status: "aborted", endedAt: REFERENCE - 3 * DAY });
  const now = REFERENCE + 1 * DAY - 5 * HOUR; // one day back: REFERENCE-5h
  const r = store.prune({ keepPerTask: null, maxAgeDays: 1 }, now);
  assert.deepEqual([r.deleted, r.more], [6, false]); // five of fill + the aborted one
  assert.equal(store.get(oldDone!), null);
  assert.equal(store.get(oldRunning)!.status, "running");
  assert.deepEqual(store.query({ status: "succeeded" }).map((x) => (REFERENCE - x.startedAt) / HOUR), [1, 2, 3, 4, 5]);
});

test("prune with both rules; zero kept means only in-flight records stay", (t) => {
  const { store, dir } = tempStore(t);
  fill(store, dir, "task#0", 8);
  const running = store.begin(manual())!;
  const r = store.prune({ keepPerTask: 0, maxAgeDays: 1 }, REFERENCE);
  assert.equal(r.deleted, 8);
  assert.deepEqual(store.query({}).map((x) => x.id), [running]);
});

test("bad retention values are refused", (t) => {
  const { store } = tempStore(t);
  assert.throws(() => store.prune({ keepPerTask: -1, maxAgeDays: null }, REFERENCE), /keepPerTask must be a non-negative integer or null, got -1/);
  assert.throws(() => store.prune({ keepPerTask: null, maxAgeDays: NaN }, REFERENCE), /maxAgeDays must be >= 0 or null, got NaN/);
  assert.throws(() => store.prune({ keepPerTask: 1, maxAgeDays: null }, REFERENCE, 0), /batch size must be a positive integer, got 0/);
});

test("pruneHistory loops over batches, yields between them and removes log files", async (t) => {
  const { store, history, dir } = tempStore(t);
  const ids = fill(store, dir, "task#0", 25);
  let pauses = 0;
  const report = await pruneHistory(history, { keepPerTask: 3, maxAgeDays: null }, REFERENCE, (f) => rm(f), {
    batchSize: 7,
    yieldBetween: async () => void pauses++,
  });
  assert.deepEqual(report, { deleted: 22, fileErrors: [], complete: true });
  assert.equal(pauses, 3);
  for (const id of ids.slice(0, 22)) assert.equal(existsSync(join(dir, "logs", `${id}.log`)), false);
  for (const id of ids.slice(22)) assert.equal(existsSync(join(dir, "logs", `${id}.log`)), true);
});

test("pruneHistory stops at maxBatches and reports files it could not remove", async (t) => {
  const { store, history, dir } = tempStore(t);
  fill(store, dir, "task#0", 10);
  const report = await pruneHistory(history, { keepPerTask: 0, maxAgeDays: null }, REFERENCE, async (f) => {
    throw new Error(`EACCES: permission denied, unlink '${f}'`);
  }, { batchSize: 4, maxBatches: 2 });
  assert.equal(report.deleted, 8);
  assert.equal(report.complete, false);
  assert.equal(report.fileErrors.length, 8);
  assert.match(report.fileErrors[0]!.error, /^EACCES: permission denied, unlink '.*\.log'$/);
  assert.equal(store.query({}).length, 2);
});

test("prune by count keeps N real runs and, apart from them, N skipped or missed records", (t) => {
  const { store, dir } = tempStore(t);
  const runs = fill(store, dir, "task#0", 4);
  const skips: number[] = [];
  for (let i = 0; i < 20; i++) {
    const at = REFERENCE + i * MINUTE; // all newer than the real runs: a node that went passive
    skips.push(store.record({ ...scheduled(at), status: i % 2 === 0 ? "skipped" : "missed", endedAt: at, reason: "requires unmet" })!);
  }
  const r = store.prune({ keepPerTask: 3, maxAgeDays: null }, REFERENCE + DAY);
  assert.equal(r.deleted, 1 + 17);
  assert.deepEqual(store.query({ status: "succeeded" }).map((x) => x.id), runs.slice(1).reverse());
  assert.deepEqual(store.query({}).filter((x) => x.status !== "succeeded").map((x) => x.id), skips.slice(-3).reverse());
});
