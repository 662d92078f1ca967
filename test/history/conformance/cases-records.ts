import assert from "node:assert/strict";
import { runRecord, type CompleteRun, type NewRun, type RunOutcome } from "../../../src/core/run-record.js";
import { MINUTE, REFERENCE, manual, scheduled } from "../helpers.js";
import type { ConformanceCase } from "./case.js";

const OUTCOME: RunOutcome = {
  status: "failed", endedAt: REFERENCE + 90_000, exitCode: 3, signal: null, reason: "exit code 3",
  outputHead: "first line\nsecond ünïcødé ✓\n", outputTail: "…last line\n", outputBytes: 5_000_000_000, stdoutBytes: 4_000_000_000,
  stderrBytes: 1_000_000_000, truncated: true, peakMemory: 6_442_450_944, cpuSeconds: 12.345678,
};

const FULL: NewRun = {
  svc: "prod/svc/db", rid: "task#backup", trigger: "schedule", scheduledFor: REFERENCE, attempt: 2, retryOf: 41, startedAt: REFERENCE + 1500,
  user: "backup", initiatedBy: "root", session: "0f3c2a", command: "/usr/bin/pg_dump -Fc 'db name'", ownerPid: 4242,
  ownerStartTime: 123_456_789_012, logFile: null, inheritedEnv: true, node: "node-a",
};

/** Records: what is written reads back field for field, in both stores. */
export const recordCases: readonly ConformanceCase[] = [
  {
    name: "health: the store's kind, ok, nothing spooled",
    async run({ history, spec }) {
      const kind = spec.startsWith("sqlite:") ? "sqlite" : "postgresql";
      assert.deepEqual(history.health(), { kind, status: "ok", spooled: 0, spool: null, reason: null });
    },
  },
  {
    name: "begin, setPid, finish: the record reads back field for field (bigint values as numbers)",
    async run({ history }) {
      let log = "";
      const id = (await history.begin(FULL, (n) => (log = `/var/log/svcmgr/runs/db/${n}.log`)))!;
      assert.ok(Number.isInteger(id) && id > 0);
      const running = (await history.get(id))!;
      assert.deepEqual(running, { ...runRecord(id, FULL, OUTCOME, { logFile: log }), status: "running", endedAt: null, durationMs: null,
        exitCode: null, reason: null, outputHead: "", outputTail: "", outputBytes: 0, stdoutBytes: 0, stderrBytes: 0, truncated: false,
        peakMemory: null, cpuSeconds: null });
      await history.setPid(id, 31337, 9_007_199_254_740);
      assert.equal(await history.finish(id, OUTCOME), true);
      assert.deepEqual(await history.get(id), runRecord(id, FULL, OUTCOME, { pid: 31337, pidStartTime: 9_007_199_254_740, logFile: log }));
    },
  },
  {
    name: "a record written final reads back as runRecord says; unset fields are null, defaults apply",
    async run({ history }) {
      const run: CompleteRun = { svc: "db", rid: "task#0", trigger: "manual", startedAt: REFERENCE, endedAt: REFERENCE + 5, status: "aborted", reason: "not confirmed" };
      const id = (await history.record(run))!;
      const got = (await history.get(id))!;
      assert.deepEqual(got, runRecord(id, run, run));
      assert.deepEqual([got.attempt, got.node, got.user, got.inheritedEnv, got.durationMs, got.peakMemory, got.cpuSeconds], [1, null, null, false, 5, null, null]);
      const measured: CompleteRun = { ...run, status: "failed", peakMemory: 67_108_864, cpuSeconds: 0.25 };
      const id2 = (await history.record(measured))!;
      assert.deepEqual([(await history.get(id2))!.peakMemory, (await history.get(id2))!.cpuSeconds], [67_108_864, 0.25]);
      assert.equal(await history.get(id + 1000), null);
    },
  },
  {
    name: "a final record is never changed: finish and markInterrupted answer false",
    async run({ history }) {
      const id = (await history.begin(manual()))!;
      assert.equal(await history.finish(id, { status: "succeeded", endedAt: REFERENCE + 10, exitCode: 0 }), true);
      assert.equal(await history.finish(id, { status: "failed", endedAt: REFERENCE + 20, exitCode: 1 }), false);
      assert.equal(await history.markInterrupted(id, "late", REFERENCE + 30), false);
      assert.deepEqual([(await history.get(id))!.status, (await history.get(id))!.endedAt], ["succeeded", REFERENCE + 10]);
    },
  },
  {
    name: "remove: a final record is deleted, a running one is refused and kept, an unknown id is absent; another connection sees it gone",
    async run({ history, reopen }) {
      const done = (await history.record({ ...manual(), endedAt: REFERENCE + 5, status: "succeeded" }))!;
      const running = (await history.begin(manual()))!;
      const kept = (await history.record({ ...manual(), endedAt: REFERENCE + 6, status: "failed" }))!;
      assert.equal(await history.remove(running), "running");
      assert.equal((await history.get(running))?.status, "running", "a running record is never deleted");
      assert.equal(await history.remove(done), "removed");
      assert.equal(await history.get(done), null);
      assert.equal(await history.remove(done), "absent");
      assert.equal(await history.remove(done + 1000), "absent");
      const other = await reopen();
      assert.equal(await other.get(done), null);
      assert.deepEqual((await other.query()).map((r) => r.id).sort(), [running, kept].sort());
      assert.equal(await history.finish(running, { status: "succeeded", endedAt: REFERENCE + 10, exitCode: 0 }), true);
      assert.equal(await history.remove(running), "removed", "once it ended, it may go");
    },
  },
  {
    name: "slot uniqueness: a taken (svc, rid, slot, attempt) answers null to begin and record; other attempts, tasks and manual runs do not collide",
    async run({ history }) {
      const first = await history.begin(scheduled(REFERENCE));
      assert.notEqual(first, null);
      assert.equal(await history.begin(scheduled(REFERENCE)), null);
      assert.equal(await history.record({ ...scheduled(REFERENCE), endedAt: REFERENCE, status: "missed" }), null);
      assert.equal(await history.nextAttempt("db", "task#0", REFERENCE), 2);
      const retry = await history.begin(scheduled(REFERENCE, { attempt: 2, retryOf: first }));
      assert.notEqual(retry, null);
      assert.notEqual(await history.begin(scheduled(REFERENCE, { rid: "task#1" })), null);
      assert.notEqual(await history.begin(scheduled(REFERENCE, { svc: "web" })), null);
      assert.notEqual(await history.begin(manual()), null);
      assert.notEqual(await history.begin(manual()), null, "manual runs have no slot");
      assert.equal((await history.query({ svc: "db", rid: "task#0" })).length, 4);
      assert.equal(await history.nextAttempt("db", "task#0", REFERENCE), 3);
      assert.equal(await history.nextAttempt("db", "task#0", REFERENCE + MINUTE), 1);
      assert.equal(await history.lastScheduled("db", "task#0"), REFERENCE);
      assert.equal(await history.lastScheduled("db", "task#9"), null);
      await history.begin(scheduled(REFERENCE - MINUTE));
      assert.equal(await history.lastScheduled("db", "task#0"), REFERENCE, "the newest slot, not the newest record");
      assert.deepEqual([(await history.lastAttempt("db", "task#0"))!.id, (await history.lastAttempt("db", "task#0"))!.attempt], [retry, 2]);
      assert.equal(await history.lastAttempt("db", "task#9"), null);
    },
  },
  {
    name: "a record the store refuses (a schedule record without its slot) is an error, not a null",
    async run({ history }) {
      await assert.rejects(history.record({ svc: "db", rid: "task#0", trigger: "schedule", startedAt: REFERENCE, endedAt: REFERENCE, status: "missed" }));
      assert.deepEqual(await history.query(), []);
    },
  },
  {
    name: "records survive closing the store: another opening reads them (and migrates nothing twice)",
    async run({ history, reopen }) {
      const id = (await history.begin({ ...manual(), node: "n1" }))!;
      await history.close();
      const again = await reopen();
      assert.equal((await again.get(id))!.node, "n1");
      assert.equal(await again.finish(id, { status: "succeeded", endedAt: REFERENCE + 1 }), true);
    },
  },
];
