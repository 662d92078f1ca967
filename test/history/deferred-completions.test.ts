import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { deferCompletions } from "../../src/history/deferred-completions.js";
import { openHistory, type HistoryStore } from "../../src/history/store.js";
import { recoverInterrupted } from "../../src/history/recover.js";
import { manual, REFERENCE, scheduled, tempDir, tempStore } from "./helpers.js";

const nextTurn = () => new Promise((r) => setImmediate(r));
const ok = (endedAt: number) => ({ status: "succeeded" as const, endedAt, exitCode: 0 });

/** The real store, counting its write transactions. */
function counting(store: HistoryStore): { store: HistoryStore; transactions: () => number } {
  let n = 0;
  return {
    store: { ...store, transaction: (fn) => { n++; store.transaction(fn); } },
    transactions: () => n,
  };
}

test("pids and outcomes of one turn are committed together at the end of the turn", async (t) => {
  const { store } = tempStore(t);
  const spy = counting(store);
  const recorder = deferCompletions(spy.store, (e) => assert.fail(e));
  const ids = [0, 1, 2].map((i) => recorder.begin(scheduled(REFERENCE + i * 1000))!);
  ids.forEach((id, i) => recorder.setPid(id, 1000 + i, 5));
  ids.forEach((id) => recorder.finish(id, ok(REFERENCE + 5000)));
  assert.deepEqual(ids.map((id) => store.get(id)!.status), ["running", "running", "running"], "not yet");
  await nextTurn();
  assert.equal(spy.transactions(), 1, "one commit for the turn");
  for (const [i, id] of ids.entries()) {
    const r = store.get(id)!;
    assert.equal(r.status, "succeeded");
    assert.equal(r.pid, 1000 + i);
    assert.equal(r.durationMs, 5000 - i * 1000);
  }
});

test("records begin at once, while completions wait; one record's updates keep their order", async (t) => {
  const { store } = tempStore(t);
  const recorder = deferCompletions(store, (e) => assert.fail(e));
  const first = recorder.begin(manual())!;
  recorder.setPid(first, 41, null);
  recorder.finish(first, ok(REFERENCE + 10));
  const second = recorder.begin(manual({ startedAt: REFERENCE + 20 }))!;
  const skipped = recorder.record({ ...manual({ startedAt: REFERENCE + 30 }), status: "skipped", endedAt: REFERENCE + 30, reason: "r" })!;
  assert.equal(store.get(second)!.status, "running", "begun at once");
  assert.equal(store.get(skipped)!.status, "skipped", "recorded at once");
  assert.equal(store.get(first)!.status, "running", "its completion waits for the end of the turn");
  await nextTurn();
  assert.equal(store.get(first)!.status, "succeeded");
  assert.equal(store.get(first)!.pid, 41);
  recorder.finish(second, ok(REFERENCE + 40));
  recorder.flush();
  assert.equal(store.get(second)!.status, "succeeded", "flush commits at once");
});

test("a failed commit is reported with its records; later turns go on", async (t) => {
  const { store } = tempStore(t);
  const errors: string[] = [];
  let fail = true;
  const flaky: HistoryStore = { ...store, transaction: (fn) => { if (fail) throw new Error("disk I/O error"); store.transaction(fn); } };
  const recorder = deferCompletions(flaky, (e, ids) => errors.push(`${e.message}: ${ids.join(",")}`));
  const a = recorder.begin(manual())!;
  recorder.setPid(a, 7, null);
  recorder.finish(a, ok(REFERENCE + 1));
  await nextTurn();
  assert.deepEqual(errors, [`disk I/O error: ${a}`]);
  fail = false;
  const b = recorder.begin(manual())!;
  recorder.finish(b, ok(REFERENCE + 2));
  await nextTurn();
  assert.equal(store.get(b)!.status, "succeeded");
  assert.equal(store.get(a)!.status, "running", "the lost update leaves the record in flight, for recovery");
});

test("a process gone before the end of its turn leaves the record in flight; recovery makes it interrupted", (t) => {
  const dir = tempDir(t);
  const file = join(dir, "history.sqlite");
  const script = `
    import { openHistory } from ${JSON.stringify(new URL("../../src/history/store.ts", import.meta.url).pathname)};
    import { deferCompletions } from ${JSON.stringify(new URL("../../src/history/deferred-completions.ts", import.meta.url).pathname)};
    const recorder = deferCompletions(openHistory(${JSON.stringify(file)}), () => {});
    const id = recorder.begin({ svc: "db", rid: "task#0", trigger: "manual", startedAt: 1, ownerPid: process.pid, ownerStartTime: null });
    recorder.finish(id, { status: "succeeded", endedAt: 2, exitCode: 0 });
    process.exit(0); // before the turn ends
  `;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const store = openHistory(file);
  t.after(() => store.close());
  const [rec] = store.query();
  assert.equal(rec?.status, "running", "the record exists: never lost");
  const recovered = recoverInterrupted(store, () => false, 100);
  assert.deepEqual(recovered.interrupted.map((x) => x.id), [rec!.id]);
  assert.equal(store.get(rec!.id)!.status, "interrupted");
});
