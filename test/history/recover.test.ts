import { test } from "node:test";
import assert from "node:assert/strict";
import { ofNode, recoverInterrupted, settleOrphans, type IsAlive } from "../../src/history/recover.js";
import { MINUTE, REFERENCE, manual, scheduled, tempStore } from "./helpers.js";

/** Liveness from a fixed table of (pid, start time) pairs. */
const aliveAmong = (...live: [number, number][]): IsAlive => (pid, start) => live.some(([p, s]) => p === pid && s === start);

test("after a crash: gone → interrupted, orphan alive → reported, owner alive → untouched", async (t) => {
  const { store, history } = tempStore(t);
  const daemon = { ownerPid: 100, ownerStartTime: 1 }; // the crashed daemon
  const gone = store.begin(scheduled(REFERENCE, daemon))!;
  store.setPid(gone, 200, 5);
  const orphan = store.begin(scheduled(REFERENCE, { ...daemon, rid: "task#1" }))!;
  store.setPid(orphan, 201, 5);
  const unstarted = store.begin(scheduled(REFERENCE, { ...daemon, rid: "task#2" }))!;
  const cli = store.begin(manual({ ownerPid: 300, ownerStartTime: 7 }))!;
  store.setPid(cli, 301, 8);
  const reused = store.begin(scheduled(REFERENCE, { ...daemon, rid: "task#3" }))!;
  store.setPid(reused, 202, 5); // pid 202 now belongs to another process (start time 99)
  const done = store.begin(manual())!;
  store.finish(done, { status: "succeeded", endedAt: REFERENCE + 1 });

  const now = REFERENCE + 10 * MINUTE;
  const r = await recoverInterrupted(history, aliveAmong([201, 5], [300, 7], [202, 99], [100, 2]), now);

  assert.deepEqual(r.interrupted.map((x) => x.id), [gone, unstarted, reused]);
  assert.deepEqual(r.orphaned.map((x) => x.id), [orphan]);
  assert.deepEqual(r.active.map((x) => x.id), [cli]);
  assert.deepEqual(
    [gone, unstarted].map((id) => store.get(id)).map((x) => [x!.status, x!.reason, x!.endedAt, x!.durationMs]),
    [
      ["interrupted", "svcmgr (pid 100) exited while the task ran (pid 200 gone)", now, 10 * MINUTE],
      ["interrupted", "svcmgr (pid 100) exited while the task was starting (no task process recorded)", now, 10 * MINUTE],
    ],
  );
  assert.equal(store.get(orphan)!.status, "running");
  assert.equal(store.get(cli)!.status, "running");
  assert.equal(store.begin(scheduled(REFERENCE)), null, "an interrupted slot is never run again");
  assert.equal(store.lastScheduled("db", "task#0"), REFERENCE);
});

test("a record without owner whose task is gone is interrupted", async (t) => {
  const { store, history } = tempStore(t);
  const id = store.begin(manual())!;
  const r = await recoverInterrupted(history, () => false, REFERENCE + 1);
  assert.deepEqual(r.interrupted.map((x) => [x.id, x.reason]), [[id, "svcmgr exited while the task was starting (no task process recorded)"]]);
});

test("settleOrphans marks exited orphans interrupted, keeps the living", async (t) => {
  const { store, history } = tempStore(t);
  const ids = [201, 202].map((pid, i) => {
    const id = store.begin(scheduled(REFERENCE, { rid: `task#${i}`, ownerPid: 100, ownerStartTime: 1 }))!;
    store.setPid(id, pid, 5);
    return id;
  });
  const orphans = (await recoverInterrupted(history, aliveAmong([201, 5], [202, 5]), REFERENCE)).orphaned;
  assert.equal(orphans.length, 2);
  const still = await settleOrphans(history, orphans, aliveAmong([202, 5]), REFERENCE + MINUTE);
  assert.deepEqual(still.map((x) => x.id), [ids[1]]);
  const ended = store.get(ids[0]!)!;
  assert.deepEqual([ended.status, ended.exitCode, ended.reason], [
    "interrupted", null, "task process (pid 201) exited after svcmgr (pid 100) had gone; its exit status cannot be known",
  ]);
});

test("a history shared by several nodes: only this node's runs (and those naming no node) are recovered", async (t) => {
  const { store, history } = tempStore(t);
  const owner = { ownerPid: 100, ownerStartTime: 1 };
  const mine = store.begin(scheduled(REFERENCE, { ...owner, node: "a" }))!;
  const old = store.begin(scheduled(REFERENCE, { ...owner, rid: "task#1", node: null }))!;
  const theirs = store.begin(scheduled(REFERENCE, { ...owner, rid: "task#2", node: "b" }))!; // pid 100 on node b: not visible here
  const r = await recoverInterrupted(history, aliveAmong(), REFERENCE + MINUTE, ofNode("a"));
  assert.deepEqual(r.interrupted.map((x) => x.id), [mine, old]);
  assert.equal(store.get(theirs)!.status, "running", "node b's run is node b's to recover");
});
