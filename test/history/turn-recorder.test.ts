import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { createTurnRecorder } from "../../src/history/turn-recorder.js";
import { openHistory } from "../../src/platform/sqlite/store.js";
import { asyncHistory } from "../../src/platform/sqlite/history-store.js";
import type { HistoryStore } from "../../src/core/history-store.js";
import { recoverInterrupted } from "../../src/history/recover.js";
import { manual, REFERENCE, scheduled, tempDir, tempStore } from "./helpers.js";

const nextTurn = () => new Promise((r) => setImmediate(r));
const ok = (endedAt: number) => ({ status: "succeeded" as const, endedAt, exitCode: 0 });
const noError = (e: Error) => assert.fail(e);

/** The real store, counting its commits (one write transaction each). */
function counting(store: HistoryStore): { store: HistoryStore; transactions: () => number } {
  let n = 0;
  return {
    store: { ...store, commit: (writes) => { n++; return store.commit(writes); } },
    transactions: () => n,
  };
}

test("the record writes of one turn are committed together; a begun record's id comes after the commit", async (t) => {
  const { store, history } = tempStore(t);
  const spy = counting(history);
  const recorder = createTurnRecorder(spy.store, noError);
  const begun = [0, 1, 2].map((i) => recorder.begin(scheduled(REFERENCE + i * 1000)));
  assert.deepEqual(store.query(), [], "nothing is written before the end of the turn");
  const ids = (await Promise.all(begun)).map((id) => id!);
  assert.equal(spy.transactions(), 1, "one commit for the three begins");
  assert.deepEqual(ids.map((id) => store.get(id)!.status), ["running", "running", "running"], "committed when the ids are known");
  ids.forEach((id, i) => recorder.setPid(id, 1000 + i, 5));
  ids.forEach((id) => void recorder.finish(id, ok(REFERENCE + 5000)));
  await nextTurn();
  assert.equal(spy.transactions(), 2, "one commit for the pids and outcomes of the next turn");
  for (const [i, id] of ids.entries()) {
    const r = store.get(id)!;
    assert.equal(r.status, "succeeded");
    assert.equal(r.pid, 1000 + i);
    assert.equal(r.durationMs, 5000 - i * 1000);
  }
});

test("writes keep their call order; a second begin for the same slot gets null; a refusal's id comes with its commit", async (t) => {
  const { store, history } = tempStore(t);
  const recorder = createTurnRecorder(history, noError);
  const first = (await recorder.begin(manual()))!;
  recorder.setPid(first, 41, null);
  void recorder.finish(first, ok(REFERENCE + 10));
  const slot = REFERENCE + 60_000;
  const [second, duplicate] = await Promise.all([recorder.begin(scheduled(slot)), recorder.begin(scheduled(slot, { startedAt: slot + 5 }))]);
  assert.equal(duplicate, null, "the slot already had a record");
  assert.equal(store.get(first)!.status, "succeeded");
  assert.equal(store.get(first)!.pid, 41);
  const skipped = (await recorder.record({ ...manual({ startedAt: REFERENCE + 30 }), status: "skipped", endedAt: REFERENCE + 30, reason: "r" }))!;
  assert.equal(store.get(skipped)!.status, "skipped", "committed when its id is known");
  void recorder.finish(second!, ok(slot + 40));
  await recorder.flush();
  assert.equal(store.get(second!)!.status, "succeeded", "flush commits at once");
});

test("a failed commit rejects the turn's begins and holds every other decision until a commit succeeds", async (t) => {
  const { store, history } = tempStore(t);
  const errors: string[] = [];
  const recovered: number[] = [];
  let fail = false;
  const full = () => Promise.reject(new Error("database or disk is full"));
  const flaky: HistoryStore = {
    ...history,
    commit: (writes) => (fail ? full() : history.commit(writes)),
    record: (run) => (fail ? full() : history.record(run)),
  };
  const recorder = createTurnRecorder(flaky, (e, ids) => errors.push(`${e.message}: ${ids.join(",")}`), { retryMs: 20, onRecovered: (n) => recovered.push(n) });
  const a = (await recorder.begin(manual()))!;
  fail = true;
  recorder.setPid(a, 7, null);
  void recorder.finish(a, ok(REFERENCE + 1));
  await assert.rejects(recorder.begin(manual({ startedAt: REFERENCE + 2 })), /disk is full/);
  const slot = { ...manual({ startedAt: REFERENCE + 3 }), trigger: "schedule" as const, scheduledFor: REFERENCE };
  await assert.rejects(recorder.begin(slot), /disk is full/);
  assert.equal(await recorder.record({ ...manual({ startedAt: REFERENCE + 4 }), status: "skipped", endedAt: REFERENCE + 4, reason: "busy" }), null, "held: no id yet");
  assert.deepEqual(errors, [`database or disk is full (record writes kept and retried): ${a}`], "reported once for the whole period");
  assert.equal(store.query().length, 1, "nothing written while the disk is full");
  assert.ok(recorder.held >= 3, `held ${recorder.held}`);
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(store.query().length, 1, "retries fail while the disk is full");
  fail = false;
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(recorder.held, 0);
  assert.deepEqual(recovered, [4]);
  assert.equal(store.get(a)!.status, "succeeded", "the held outcome is written");
  assert.equal(store.get(a)!.pid, 7);
  const recs = store.query().reverse();
  assert.deepEqual(recs.map((r) => r.status), ["succeeded", "missed", "skipped"], "the manual begin is refused, the slot recorded missed, the refusal kept");
  assert.match(recs[1]!.reason!, /^not run: its record could not be written \(database or disk is full\)$/);
  assert.equal(recs[1]!.scheduledFor, REFERENCE);
  const b = (await recorder.begin(manual({ startedAt: REFERENCE + 5 })))!;
  await recorder.finish(b, ok(REFERENCE + 6));
  await recorder.flush();
  assert.equal(store.get(b)!.status, "succeeded", "later turns go on");
});

test("a process gone before its turn's commit: a begin leaves nothing, a lost outcome leaves the record in flight for recovery", async (t) => {
  const dir = tempDir(t);
  const file = join(dir, "history.sqlite");
  const script = `
    import { openHistoryStore } from ${JSON.stringify(new URL("../../src/platform/sqlite/history-store.ts", import.meta.url).pathname)};
    import { createTurnRecorder } from ${JSON.stringify(new URL("../../src/history/turn-recorder.ts", import.meta.url).pathname)};
    const recorder = createTurnRecorder(openHistoryStore(${JSON.stringify(file)}), () => {});
    const run = (startedAt) => ({ svc: "db", rid: "task#0", trigger: "manual", startedAt, ownerPid: process.pid, ownerStartTime: null });
    const id = await recorder.begin(run(1));
    void recorder.finish(id, { status: "succeeded", endedAt: 2, exitCode: 0 });
    void recorder.begin(run(3));
    process.exit(0); // before the turn ends
  `;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const store = openHistory(file);
  t.after(() => store.close());
  const records = store.query();
  assert.equal(records.length, 1, "the uncommitted begin left nothing (its task never started)");
  assert.equal(records[0]!.status, "running", "the committed record exists: never lost");
  const recovered = await recoverInterrupted(asyncHistory(store), () => false, 100);
  assert.deepEqual(recovered.interrupted.map((x) => x.id), [records[0]!.id]);
  assert.equal(store.get(records[0]!.id)!.status, "interrupted");
});
