import assert from "node:assert/strict";
import type { HistoryStore } from "../../../src/core/history-store.js";
import { recoverInterrupted, settleOrphans, type IsAlive } from "../../../src/history/recover.js";
import { DAY, HOUR, MINUTE, REFERENCE, manual, scheduled } from "../helpers.js";
import type { ConformanceCase } from "./case.js";

/** `n` finished runs of one task, one per hour before REFERENCE, each with a log file name. */
async function fill(history: HistoryStore, rid: string, n: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = n; i >= 1; i--) {
    const at = REFERENCE - i * HOUR;
    const id = (await history.begin(scheduled(at, { rid }), (x) => `/logs/${x}.log`))!;
    await history.finish(id, { status: "succeeded", endedAt: at + 1 });
    ids.push(id);
  }
  return ids;
}

/** Calls prune until it says there is no more; each batch's deleted count, and every log file. */
async function pruneAll(history: HistoryStore, policy: { keepPerTask: number | null; maxAgeDays: number | null }, batch: number) {
  const batches: number[] = [];
  const logs: string[] = [];
  for (let more = true; more; ) {
    const r = await history.prune(policy, REFERENCE, batch);
    batches.push(r.deleted);
    logs.push(...r.logFiles);
    more = r.more;
  }
  return { batches, logs: logs.sort() };
}

const aliveAmong = (...live: [number, number][]): IsAlive => (pid, start) => live.some(([p, s]) => p === pid && s === start);

/** Pruning, recovery after a crash, and transactions. */
export const lifecycleCases: readonly ConformanceCase[] = [
  {
    name: "prune by count: the newest N per task in bounded batches; in-flight kept; skipped and missed counted apart",
    async run({ history }) {
      const a = await fill(history, "task#0", 30);
      const b = await fill(history, "task#1", 4);
      const running = (await history.begin(scheduled(REFERENCE - 100 * HOUR, { rid: "task#0" })))!;
      const skips: number[] = [];
      for (let i = 1; i <= 3; i++) skips.push((await history.record({ ...scheduled(REFERENCE + i * MINUTE, { rid: "task#0" }), status: "skipped", endedAt: REFERENCE + i * MINUTE }))!);
      const { batches, logs } = await pruneAll(history, { keepPerTask: 5, maxAgeDays: null }, 10);
      assert.deepEqual(batches, [10, 10, 5]);
      assert.deepEqual(logs, a.slice(0, 25).map((id) => `/logs/${id}.log`).sort());
      assert.deepEqual((await history.query({ rid: "task#0" })).map((r) => r.id), [...[...skips].reverse(), ...a.slice(-5).reverse(), running]);
      assert.deepEqual((await history.query({ rid: "task#1" })).map((r) => r.id), [...b].reverse());
      const again = await history.prune({ keepPerTask: 5, maxAgeDays: null }, REFERENCE, 10);
      assert.deepEqual(again, { deleted: 0, logFiles: [], more: false });
    },
  },
  {
    name: "prune by age: older records go, in-flight ones stay however old; both rules together",
    async run({ history }) {
      await fill(history, "task#0", 10);
      const oldRunning = (await history.begin(manual({ startedAt: REFERENCE - 400 * DAY })))!;
      const oldDone = (await history.record({ ...manual({ startedAt: REFERENCE - 3 * DAY }), status: "aborted", endedAt: REFERENCE - 3 * DAY }))!;
      const { batches } = await pruneAll(history, { keepPerTask: null, maxAgeDays: 2 }, 500);
      assert.deepEqual(batches, [1]);
      assert.equal(await history.get(oldDone), null);
      assert.equal((await history.get(oldRunning))!.status, "running");
      const both = await pruneAll(history, { keepPerTask: 3, maxAgeDays: 0 }, 4);
      assert.deepEqual(both.batches, [4, 4, 2]);
      assert.deepEqual((await history.query()).map((r) => r.id), [oldRunning]);
      await assert.rejects(history.prune({ keepPerTask: -1, maxAgeDays: null }, REFERENCE), RangeError);
    },
  },
  {
    name: "recovery: owner and task gone → interrupted; orphan alive → reported then settled; living owner untouched",
    async run({ history }) {
      const daemon = { ownerPid: 100, ownerStartTime: 1 };
      const gone = (await history.begin(scheduled(REFERENCE, daemon)))!;
      await history.setPid(gone, 200, 5);
      const orphan = (await history.begin(scheduled(REFERENCE, { ...daemon, rid: "task#1" })))!;
      await history.setPid(orphan, 201, 5);
      const unstarted = (await history.begin(scheduled(REFERENCE, { ...daemon, rid: "task#2" })))!;
      const cli = (await history.begin(manual({ ownerPid: 300, ownerStartTime: 7 })))!;
      await history.setPid(cli, 301, 8);
      const now = REFERENCE + 10 * MINUTE;
      const r = await recoverInterrupted(history, aliveAmong([201, 5], [300, 7]), now);
      assert.deepEqual(r.interrupted.map((x) => x.id), [gone, unstarted]);
      assert.deepEqual(r.orphaned.map((x) => x.id), [orphan]);
      assert.deepEqual(r.active.map((x) => x.id), [cli]);
      const ended = (await history.get(gone))!;
      assert.deepEqual([ended.status, ended.reason, ended.endedAt, ended.durationMs], [
        "interrupted", "svcmgr (pid 100) exited while the task ran (pid 200 gone)", now, 10 * MINUTE,
      ]);
      assert.deepEqual((await history.inFlight()).map((x) => x.id), [orphan, cli]);
      assert.deepEqual(await settleOrphans(history, r.orphaned, () => false, now + MINUTE), []);
      assert.equal((await history.get(orphan))!.status, "interrupted");
      assert.equal(await history.markInterrupted(orphan, "again", now + 2 * MINUTE), false);
      assert.equal(await history.begin(scheduled(REFERENCE)), null, "an interrupted slot is never run again");
      assert.equal(await history.markInterrupted(cli, "clock went back", REFERENCE - MINUTE), true);
      assert.equal((await history.get(cli))!.durationMs, 0, "never a negative duration");
    },
  },
  {
    name: "commit of a burst: 1,200 begins (a slot twice: the second null), then pids and outcomes of the same records (last pid, first outcome)",
    timeout: 60_000,
    async run({ history }) {
      const begins = Array.from({ length: 1200 }, (_, i) => ({ kind: "begin" as const, run: scheduled(REFERENCE + i * MINUTE), logFileFor: (id: number) => `/logs/${id}.log` }));
      const ids = await history.commit([...begins, { kind: "begin", run: scheduled(REFERENCE) }]);
      assert.equal(ids.filter((id) => id !== null).length, 1200);
      assert.equal(ids[1200], null, "the slot is taken by an earlier row of the same commit");
      const [a, b] = [ids[0]!, ids[1199]!];
      await history.commit([
        { kind: "pid", id: a, pid: 1, pidStartTime: null },
        { kind: "pid", id: a, pid: 2, pidStartTime: 9 },
        { kind: "finish", id: a, outcome: { status: "failed", endedAt: REFERENCE + 3, exitCode: 1 } },
        { kind: "finish", id: a, outcome: { status: "succeeded", endedAt: REFERENCE + 4 } },
        { kind: "finish", id: b, outcome: { status: "succeeded", endedAt: REFERENCE + 1199 * MINUTE + 7, outputHead: "x", outputBytes: 1, stdoutBytes: 1 } },
      ]);
      const ra = (await history.get(a))!;
      assert.deepEqual([ra.pid, ra.pidStartTime, ra.status, ra.exitCode, ra.durationMs, ra.logFile], [2, 9, "failed", 1, 3, `/logs/${a}.log`]);
      const rb = (await history.get(b))!;
      assert.deepEqual([rb.status, rb.durationMs, rb.outputHead, rb.outputBytes, rb.logFile], ["succeeded", 7, "x", 1, `/logs/${b}.log`]);
    },
  },
  {
    name: "commit: writes in order, answers per write (null for a taken slot), all or none",
    async run({ history }) {
      const taken = (await history.begin(scheduled(REFERENCE)))!;
      const ids = await history.commit([
        { kind: "begin", run: scheduled(REFERENCE + MINUTE), logFileFor: (id) => `/logs/${id}.log` },
        { kind: "record", run: { ...scheduled(REFERENCE), status: "missed", endedAt: REFERENCE } },
        { kind: "pid", id: taken, pid: 77, pidStartTime: 3 },
        { kind: "finish", id: taken, outcome: { status: "succeeded", endedAt: REFERENCE + 5, exitCode: 0 } },
        { kind: "record", run: { ...manual(), status: "aborted", endedAt: REFERENCE } },
      ]);
      assert.equal(ids.length, 5);
      assert.equal(ids[1], null);
      assert.deepEqual([ids[2], ids[3]], [null, null]);
      assert.equal((await history.get(ids[0]!))!.logFile, `/logs/${ids[0]}.log`);
      assert.deepEqual([(await history.get(taken))!.status, (await history.get(taken))!.pid], ["succeeded", 77]);
      const before = (await history.query()).map((r) => [r.id, r.status]);
      await assert.rejects(history.commit([
        { kind: "finish", id: ids[0]!, outcome: { status: "failed", endedAt: REFERENCE + 2 * MINUTE } },
        { kind: "begin", run: scheduled(REFERENCE + 2 * MINUTE) },
        { kind: "record", run: { svc: "db", rid: "task#0", trigger: "schedule", startedAt: REFERENCE, endedAt: REFERENCE, status: "missed" } }, // no slot: refused
      ]));
      assert.deepEqual((await history.query()).map((r) => [r.id, r.status]), before, "nothing of the failed commit remains");
      assert.deepEqual(await history.commit([]), []);
      assert.notEqual(await history.begin(scheduled(REFERENCE + 2 * MINUTE)), null, "the store goes on after a failed commit");
    },
  },
  {
    name: "calls not awaited at once take effect in call order",
    async run({ history }) {
      const first = (await history.begin(manual()))!;
      const writes = [history.setPid(first, 10, 1), history.finish(first, { status: "succeeded", endedAt: REFERENCE + 1 }), history.get(first)];
      const [, finished, got] = await Promise.all(writes);
      assert.equal(finished, true);
      assert.deepEqual([(got as { status: string }).status, (got as { pid: number }).pid], ["succeeded", 10]);
    },
  },
];
