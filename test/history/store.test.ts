import { test } from "node:test";
import assert from "node:assert/strict";
import { DAY, HOUR, MINUTE, REFERENCE, manual, scheduled, tempStore } from "./helpers.js";

test("begin records an in-flight run, finish makes it final", (t) => {
  const { store } = tempStore(t);
  const id = store.begin(manual({ command: "echo hi", session: "s1" }))!;
  assert.equal(typeof id, "number");
  store.setLogFile(id, "/log/runs/db/task#0/1.log");
  store.setPid(id, 4242, 987654);
  const running = store.get(id)!;
  assert.equal(running.status, "running");
  assert.equal(running.endedAt, null);
  assert.deepEqual([running.pid, running.pidStartTime, running.logFile], [4242, 987654, "/log/runs/db/task#0/1.log"]);

  const ok = store.finish(id, {
    status: "failed", endedAt: REFERENCE + 1500, exitCode: 3, reason: "exit code 3",
    outputHead: "hé", outputTail: "", outputBytes: 3, stdoutBytes: 2, stderrBytes: 1, truncated: false,
  });
  assert.equal(ok, true);
  assert.deepEqual(store.get(id), {
    id, svc: "db", rid: "task#0", trigger: "manual", scheduledFor: null, attempt: 1, retryOf: null, startedAt: REFERENCE,
    endedAt: REFERENCE + 1500, durationMs: 1500, exitCode: 3, signal: null, status: "failed", reason: "exit code 3",
    user: "root", initiatedBy: "alice", session: "s1", command: "echo hi", pid: 4242, pidStartTime: 987654,
    ownerPid: null, ownerStartTime: null, logFile: "/log/runs/db/task#0/1.log",
    outputHead: "hé", outputTail: "", outputBytes: 3, stdoutBytes: 2, stderrBytes: 1, truncated: false, inheritedEnv: false, node: null, peakMemory: null, cpuSeconds: null,
  });
  assert.equal(store.finish(id, { status: "succeeded", endedAt: REFERENCE + 2000 }), false, "a final record stays final");
  assert.equal(store.get(id)!.status, "failed");
  assert.equal(store.get(id + 100), null);
});

test("a schedule slot has at most one record", (t) => {
  const { store } = tempStore(t);
  const slot = REFERENCE + HOUR;
  const first = store.begin(scheduled(slot));
  assert.notEqual(first, null);
  assert.equal(store.begin(scheduled(slot)), null);
  assert.equal(store.record({ ...scheduled(slot), status: "skipped", endedAt: slot, reason: "x" }), null);
  assert.notEqual(store.begin(scheduled(slot, { rid: "task#1" })), null, "other task, same instant");
  assert.notEqual(store.begin(scheduled(slot, { svc: "prod/svc/db" })), null, "other service, same instant");
  assert.notEqual(store.begin(manual({ startedAt: slot })), null, "manual runs are never deduplicated");
  assert.notEqual(store.begin(manual({ startedAt: slot })), null);
  assert.equal(store.query({ svc: "db", rid: "task#0" }).length, 3);
});

test("a schedule record needs its slot", (t) => {
  const { store } = tempStore(t);
  assert.throws(() => store.begin({ svc: "db", rid: "task#0", trigger: "schedule", startedAt: REFERENCE }), /CHECK constraint/);
});

test("record inserts a final record (skipped, missed, aborted)", (t) => {
  const { store } = tempStore(t);
  const id = store.record({ ...scheduled(REFERENCE), status: "missed", endedAt: REFERENCE + 5 * MINUTE, reason: "daemon down" })!;
  const r = store.get(id)!;
  assert.deepEqual([r.status, r.reason, r.durationMs, r.outputBytes, r.truncated], ["missed", "daemon down", 5 * MINUTE, 0, false]);
  assert.equal(store.inFlight().length, 0);
});

test("query filters, orders newest first and limits", (t) => {
  const { store } = tempStore(t);
  const at = (h: number) => REFERENCE + h * HOUR;
  const done = (id: number, status: "succeeded" | "failed", h: number) => store.finish(id, { status, endedAt: at(h) + 1 });
  done(store.begin(scheduled(at(0)))!, "succeeded", 0);
  done(store.begin(scheduled(at(1)))!, "failed", 1);
  done(store.begin(manual({ startedAt: at(2) }))!, "succeeded", 2);
  store.begin(scheduled(at(3), { rid: "task#1" }));
  store.record({ ...scheduled(at(4)), status: "skipped", endedAt: at(4), reason: "requires" });

  const started = (q: Parameters<typeof store.query>[0]) => store.query(q).map((r) => (r.startedAt - REFERENCE) / HOUR);
  assert.deepEqual(started({}), [4, 3, 2, 1, 0]);
  assert.deepEqual(started({ rid: "task#0" }), [4, 2, 1, 0]);
  assert.deepEqual(started({ status: "succeeded" }), [2, 0]);
  assert.deepEqual(started({ status: ["failed", "running"] }), [3, 1]);
  assert.deepEqual(started({ status: [] }), []);
  assert.deepEqual(started({ trigger: "manual" }), [2]);
  assert.deepEqual(started({ since: at(1), until: at(4) }), [3, 2, 1]);
  assert.deepEqual(started({ limit: 2 }), [4, 3]);
  assert.deepEqual(started({ svc: "other" }), []);
  assert.throws(() => store.query({ limit: -1 }), /limit must be a non-negative integer, got -1/);
  assert.deepEqual(store.countByStatus({ rid: "task#0" }), {
    running: 0, succeeded: 2, failed: 1, timed_out: 0, skipped: 1, missed: 0, aborted: 0, interrupted: 0,
  });
});

test("lastRun: newest final record; ranOnly passes over skipped and missed", (t) => {
  const { store } = tempStore(t);
  assert.equal(store.lastRun("db", "task#0"), null);
  const a = store.begin(scheduled(REFERENCE))!;
  store.finish(a, { status: "succeeded", endedAt: REFERENCE + 10, exitCode: 0 });
  store.record({ ...scheduled(REFERENCE + HOUR), status: "skipped", endedAt: REFERENCE + HOUR, reason: "requires" });
  store.begin(manual({ startedAt: REFERENCE + 2 * HOUR }));
  assert.equal(store.lastRun("db", "task#0")!.status, "skipped");
  assert.equal(store.lastRun("db", "task#0", { ranOnly: true })!.id, a);
  assert.equal(store.lastRun("db", "task#9"), null);
});

test("lastScheduled: newest slot of schedule-triggered records, whatever their status", (t) => {
  const { store } = tempStore(t);
  assert.equal(store.lastScheduled("db", "task#0"), null);
  store.begin(scheduled(REFERENCE + DAY, { startedAt: REFERENCE }));
  store.record({ ...scheduled(REFERENCE + 2 * DAY), status: "missed", endedAt: REFERENCE + 3 * DAY });
  store.begin(manual({ startedAt: REFERENCE + 5 * DAY }));
  store.begin(scheduled(REFERENCE + 9 * DAY, { rid: "task#1" }));
  assert.equal(store.lastScheduled("db", "task#0"), REFERENCE + 2 * DAY);
});

test("inFlight and markInterrupted", (t) => {
  const { store } = tempStore(t);
  const a = store.begin(scheduled(REFERENCE))!;
  const b = store.begin(manual({ startedAt: REFERENCE + 1 }))!;
  store.finish(b, { status: "succeeded", endedAt: REFERENCE + 2 });
  assert.deepEqual(store.inFlight().map((r) => r.id), [a]);
  assert.equal(store.markInterrupted(a, "gone", REFERENCE + MINUTE), true);
  assert.equal(store.markInterrupted(a, "again", REFERENCE + HOUR), false);
  assert.equal(store.markInterrupted(b, "never a final one", REFERENCE + HOUR), false);
  const r = store.get(a)!;
  assert.deepEqual([r.status, r.reason, r.endedAt, r.durationMs], ["interrupted", "gone", REFERENCE + MINUTE, MINUTE]);
  assert.deepEqual(store.inFlight(), []);
});
