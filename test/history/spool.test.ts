/** The spool's pure parts: folding entries per record, provisional ids, parsing, and the last slots known while degraded. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { foldSpool, parseSpool, provisionalIds, spooledCount, spoolLine, type SpoolEntry } from "../../src/history/spool.js";
import { LastSlots } from "../../src/history/last-slots.js";
import { MINUTE, REFERENCE, manual, scheduled } from "./helpers.js";

const ok = (at: number) => ({ status: "succeeded" as const, endedAt: at });

test("fold: a spooled record gets its pid and its first outcome; a final one is never changed; store records' changes kept in order", () => {
  const entries: SpoolEntry[] = [
    { op: "insert", id: -2, key: "k2", run: scheduled(REFERENCE), final: false },
    { op: "finish", id: 7, outcome: ok(REFERENCE) },
    { op: "pid", id: -2, pid: 42, pidStartTime: 5 },
    { op: "finish", id: -2, outcome: ok(REFERENCE + 1) },
    { op: "interrupt", id: -2, reason: "late", endedAt: REFERENCE + 2 },
    { op: "insert", id: -3, key: "k3", run: { ...manual(), status: "skipped", endedAt: REFERENCE }, final: true },
    { op: "finish", id: -3, outcome: ok(REFERENCE + 3) },
    { op: "pid", id: -9, pid: 1, pidStartTime: null },
    { op: "pid", id: 7, pid: 8, pidStartTime: null },
  ];
  const f = foldSpool(entries);
  assert.deepEqual(f.records.map((r) => [r.id, r.key, r.pid, r.outcome]), [
    [-2, "k2", { pid: 42, pidStartTime: 5 }, ok(REFERENCE + 1)],
    [-3, "k3", null, null],
  ]);
  assert.deepEqual(f.updates.map((u) => [u.op, u.id]), [["finish", 7], ["pid", 7]], "an update of an unknown provisional id is dropped");
  assert.equal(spooledCount(f), 3, "two records spooled, one store record changed");
});

test("parse: one entry a line; a line cut by a crash is skipped and counted", () => {
  const a: SpoolEntry = { op: "insert", id: -1, key: "k", run: scheduled(REFERENCE), final: false };
  const b: SpoolEntry = { op: "finish", id: -1, outcome: ok(REFERENCE + MINUTE) };
  const text = spoolLine(a) + '{"op":"pid","id":-1,"pi' + "\n" + spoolLine(b);
  assert.deepEqual(parseSpool(text), { entries: [a, b], bad: 1 });
});

test("provisional ids: negative, strictly decreasing, below any id an earlier process gave", () => {
  let now = 1_000;
  const ids = provisionalIds(() => now);
  const first = [ids(), ids(), ids()];
  assert.deepEqual(first, [-1_000_000, -1_000_001, -1_000_002]);
  now = 1_001;
  assert.equal(ids(), -1_001_000);
  const later = provisionalIds(() => 1_002);
  assert.ok(later() < Math.min(...first));
});

test("last slots: the store's answers, then the records written since, win by slot then attempt; renamed after a replay", () => {
  const s = new LastSlots();
  s.sawLast("db", "task#0", REFERENCE);
  s.sawAttempt("db", "task#0", null);
  assert.equal(s.lastScheduled("db", "task#0"), REFERENCE);
  s.wrote(-5, scheduled(REFERENCE + MINUTE), null);
  assert.equal(s.lastScheduled("db", "task#0"), REFERENCE + MINUTE);
  assert.equal(s.lastAttempt("db", "task#0")!.status, "running");
  s.ended(-5, { status: "failed", endedAt: REFERENCE + MINUTE + 3, exitCode: 1 });
  assert.deepEqual([s.lastAttempt("db", "task#0")!.status, s.lastAttempt("db", "task#0")!.exitCode], ["failed", 1]);
  assert.equal(s.nextAttempt("db", "task#0", REFERENCE + MINUTE), 2);
  assert.equal(s.nextAttempt("db", "task#0", REFERENCE + 2 * MINUTE), 1);
  s.wrote(-6, scheduled(REFERENCE), null); // an older slot does not move it back
  assert.equal(s.lastAttempt("db", "task#0")!.id, -5);
  s.wrote(3, manual(), null);
  s.renamed(new Map([[-5, 40]]));
  assert.equal(s.lastAttempt("db", "task#0")!.id, 40);
  assert.equal(s.lastScheduled("db", "task#1"), null);
});
