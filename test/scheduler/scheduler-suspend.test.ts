import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Suspension } from "../../src/core/suspension.js";
import { formatDaemonEvent } from "../../src/scheduler/event-format.js";
import { everySeconds } from "../helpers/fake-schedules.js";
import { makeHarness, makeTask, tasksUpdate } from "./harness.js";
import { MINUTE, REFERENCE, SECOND, iso } from "./time.js";

const at = (svc: string, rid: string, ms: number) => `${svc}/${rid}@${iso(ms)}`;
const BY: Suspension = { by: "alice", at: REFERENCE - MINUTE, reason: "disk swap" };
const REASON = `suspended by alice since ${iso(REFERENCE - MINUTE)}: disk swap`;

describe("scheduler: suspended tasks", () => {
  it("each due slot of a suspended task is recorded skipped once, nothing runs; resume runs the next slot, none of the skipped ones", async () => {
    const h = makeHarness({ now: REFERENCE - SECOND });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "t", everySeconds(60)), makeTask("db", "u", everySeconds(60))])]);
    await h.clock.advanceTo(REFERENCE + 30 * SECOND);
    assert.deepEqual(h.launchedNames(), [at("db", "t", REFERENCE), at("db", "u", REFERENCE)]);

    h.scheduler.setSuspended("db/t", BY);
    await h.clock.advanceTo(REFERENCE + 3 * MINUTE + 30 * SECOND);
    assert.deepEqual(h.skipped.map((s) => [s.slot.rid, iso(s.slot.scheduledFor), s.reason]), [1, 2, 3].map((m) => ["t", iso(REFERENCE + m * MINUTE), REASON]));
    assert.deepEqual(h.launchedNames().filter((n) => n.startsWith("db/t@")), [at("db", "t", REFERENCE)], "a suspended task ran");
    assert.equal(h.launchedNames().filter((n) => n.startsWith("db/u@")).length, 4, "the other task is untouched");
    assert.deepEqual(h.ofKind("skipped").map((e) => [e.rid, e.reason, e.detail]), [1, 2, 3].map(() => ["t", "suspended", REASON]));
    assert.equal(h.scheduler.snapshot().tasks.find((t) => t.key === "db/t")!.suspended, BY);

    h.scheduler.setSuspended("db/t", null);
    await h.clock.advanceTo(REFERENCE + 5 * MINUTE + 30 * SECOND);
    assert.deepEqual(h.launchedNames().filter((n) => n.startsWith("db/t@")), [REFERENCE, REFERENCE + 4 * MINUTE, REFERENCE + 5 * MINUTE].map((ms) => at("db", "t", ms)));
    assert.equal(h.skipped.length, 3, "a slot was skipped twice or after the resume");
    assert.deepEqual(h.missed, []);
    assert.deepEqual(h.ofKind("suspended").map(formatDaemonEvent), [`suspended db t detail=${JSON.stringify(REASON)}`]);
    assert.deepEqual(h.ofKind("resumed").map(formatDaemonEvent), [`resumed db t next=${iso(REFERENCE + 4 * MINUTE)}`]);
  });

  it("the same state again changes nothing; an unknown task is ignored", async () => {
    const h = makeHarness({ now: REFERENCE - SECOND });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "t", everySeconds(60))])]);
    h.scheduler.setSuspended("db/t", BY);
    h.scheduler.setSuspended("db/t", { ...BY });
    h.scheduler.setSuspended("db/gone", BY);
    h.scheduler.setSuspended("db/t", null);
    h.scheduler.setSuspended("db/t", null);
    await h.clock.idle();
    assert.deepEqual(h.events.filter((e) => e.kind === "suspended" || e.kind === "resumed").map((e) => e.kind), ["suspended", "resumed"]);
  });

  it("a task loaded suspended (a restart): its catch-up slot is recorded skipped, not run, and its next slot too", async () => {
    const h = makeHarness({ now: REFERENCE + 10 * MINUTE + SECOND, last: { "db/t": REFERENCE } });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "t", everySeconds(60), { suspended: BY })])]);
    await h.clock.advanceTo(REFERENCE + 11 * MINUTE + SECOND);
    assert.deepEqual(h.launched, []);
    assert.deepEqual(h.skipped.map((s) => iso(s.slot.scheduledFor)), [iso(REFERENCE + 10 * MINUTE), iso(REFERENCE + 11 * MINUTE)]);
    assert.equal(h.missed.length, 9, "the slots the daemon was down for follow the catch-up policy (latest: the older ones are missed)");
  });

  it("a reload that reads another state from the task's file applies it without replanning the task", async () => {
    const h = makeHarness({ now: REFERENCE - SECOND });
    const t = makeTask("db", "t", everySeconds(60));
    h.scheduler.start([tasksUpdate("db", [t])]);
    await h.clock.advanceTo(REFERENCE + 30 * SECOND);
    const next = h.scheduler.snapshot().tasks[0]!.nextWake;
    h.scheduler.reload([tasksUpdate("db", [{ ...t, suspended: BY }])]);
    await h.clock.idle();
    assert.equal(h.scheduler.snapshot().tasks[0]!.nextWake, next);
    assert.deepEqual(h.scheduler.snapshot().tasks[0]!.suspended, BY);
    await h.clock.advanceTo(REFERENCE + MINUTE + 30 * SECOND);
    assert.deepEqual(h.skipped.map((s) => iso(s.slot.scheduledFor)), [iso(REFERENCE + MINUTE)]);
    assert.equal(h.launched.length, 1);
  });

  it("slots waiting for the node-wide limit when the task is suspended are recorded skipped; the running one runs on", async () => {
    const h = makeHarness({ now: REFERENCE - SECOND, maxParallel: 1, launches: "manual" });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "a", everySeconds(3600)), makeTask("db", "b", everySeconds(3600))])]);
    await h.clock.advanceTo(REFERENCE);
    assert.deepEqual(h.launchedNames(), [at("db", "a", REFERENCE)]);
    h.scheduler.setSuspended("db/b", BY);
    h.scheduler.setSuspended("db/a", BY);
    await h.clock.idle();
    await h.finish(at("db", "a", REFERENCE));
    assert.deepEqual(h.launchedNames(), [at("db", "a", REFERENCE)], "a queued slot started after its task was suspended");
    assert.deepEqual(h.skipped.map((s) => `${s.slot.rid}@${iso(s.slot.scheduledFor)}`), [`b@${iso(REFERENCE)}`]);
    assert.equal(h.ofKind("finished").length, 1);
  });

  it("a catch-up backlog (catchup = all) is recorded skipped when the task is suspended", async () => {
    const h = makeHarness({ now: REFERENCE + 5 * MINUTE + SECOND, last: { "db/t": REFERENCE }, launches: "manual" });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "t", everySeconds(60), { catchup: "all" })])]);
    await h.clock.idle();
    assert.deepEqual(h.launchedNames(), [at("db", "t", REFERENCE + MINUTE)]);
    h.scheduler.setSuspended("db/t", BY);
    await h.clock.idle();
    assert.deepEqual(h.skipped.map((s) => iso(s.slot.scheduledFor)), [2, 3, 4, 5].map((m) => iso(REFERENCE + m * MINUTE)));
    await h.finish(at("db", "t", REFERENCE + MINUTE));
    h.scheduler.setSuspended("db/t", null);
    await h.clock.advanceTo(REFERENCE + 6 * MINUTE + SECOND);
    assert.deepEqual(h.launchedNames(), [at("db", "t", REFERENCE + MINUTE), at("db", "t", REFERENCE + 6 * MINUTE)]);
  });
});
