import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SlotQueue, slotId } from "../../src/scheduler/slot-queue.js";
import { everySeconds } from "../helpers/fake-schedules.js";
import { zonedDaily } from "../helpers/zoned-daily.js";
import { skippedRun } from "../helpers/task-run.js";
import { makeHarness, makeTask, tasksUpdate } from "./harness.js";
import { DAY, HOUR, MINUTE, REFERENCE, SECOND, iso } from "./time.js";

const at = (svc: string, rid: string, ms: number) => `${svc}/${rid}@${iso(ms)}`;

describe("scheduler: node-wide limit", () => {
  it("maxParallel 2 and 5 due: 2 start, the rest start in order as others finish, none dropped", async () => {
    const h = makeHarness({ now: REFERENCE - SECOND, maxParallel: 2, launches: "manual" });
    const rids = ["t0", "t1", "t2", "t3", "t4"];
    h.scheduler.start([tasksUpdate("db", rids.map((r) => makeTask("db", r, everySeconds(3600))))]);
    await h.clock.advanceTo(REFERENCE);
    assert.deepEqual(h.launchedNames(), [at("db", "t0", REFERENCE), at("db", "t1", REFERENCE)]);
    assert.deepEqual(h.ofKind("queued").map((e) => [e.rid, e.waiting]), [["t2", 1], ["t3", 2], ["t4", 3]]);
    for (const [i, rid] of rids.entries()) {
      await h.finish(at("db", rid, REFERENCE));
      assert.equal(h.launched.length, Math.min(5, i + 3));
    }
    assert.deepEqual(h.launchedNames(), rids.map((r) => at("db", r, REFERENCE)));
    assert.equal(h.ofKind("finished").length, 5);
    assert.deepEqual(h.missed, []);
  });

  it("the slot queue never holds the same slot twice", () => {
    const l = new SlotQueue(1);
    const slot = { id: slotId("db/t", new Date(REFERENCE)), key: "db/t", svc: "db", rid: "t", scheduledFor: new Date(REFERENCE), catchup: false };
    assert.equal(l.offer(slot), true);
    assert.equal(l.offer({ ...slot }), false);
    assert.equal(l.takeStartable().length, 1);
    assert.equal(l.offer({ ...slot }), false);
    l.finish(slot.id);
    assert.equal(l.offer({ ...slot }), true);
  });
});

describe("scheduler: overlap and requirements come back from the run pipeline", () => {
  it("a skipped outcome is logged with its reason; the scheduler records nothing itself", async () => {
    const h = makeHarness({
      now: REFERENCE - SECOND,
      outcome: (req) => skippedRun(req, "max-parallel", "max_parallel 1 reached (1 running)"),
    });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "t", everySeconds(60))])]);
    await h.clock.advanceTo(REFERENCE);
    assert.deepEqual(h.ofKind("skipped").map((e) => [e.rid, iso(e.slot), e.reason, e.detail]), [
      ["t", iso(REFERENCE), "max-parallel", "max_parallel 1 reached (1 running)"],
    ]);
    assert.deepEqual(h.missed, []);
    assert.deepEqual(h.ofKind("finished"), []);
  });

  it("a long run does not stop the task's next slots from being handed to the pipeline", async () => {
    const h = makeHarness({ now: REFERENCE - SECOND, launches: "manual" });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "t", everySeconds(60))])]);
    await h.clock.advanceTo(REFERENCE + 2 * MINUTE);
    assert.deepEqual(h.launchedNames(), [0, 1, 2].map((m) => at("db", "t", REFERENCE + m * MINUTE)));
  });

  it("a rejected launch is logged as failed and the loop goes on", async () => {
    let n = 0;
    const h = makeHarness({ now: REFERENCE - SECOND, launch: () => { n++; return Promise.reject(new Error("pipeline bug")); } });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "t", everySeconds(60))])]);
    await h.clock.advanceTo(REFERENCE + MINUTE);
    assert.equal(n, 2);
    assert.deepEqual(h.ofKind("finished").map((e) => [e.run.status, e.run.reason, e.run.record]), [["not-run", "pipeline bug", undefined], ["not-run", "pipeline bug", undefined]]);
  });
});

describe("scheduler: stop", () => {
  it("waits for running launches within the grace period", async () => {
    const h = makeHarness({ now: REFERENCE - SECOND, launches: "manual" });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "t", everySeconds(60))])]);
    await h.clock.advanceTo(REFERENCE);
    let report: unknown = null;
    void h.scheduler.stop({ graceMs: 10 * SECOND }).then((r) => (report = r));
    await h.clock.advanceBy(2 * SECOND);
    assert.equal(report, null);
    await h.finish(at("db", "t", REFERENCE));
    assert.deepEqual(report, { interrupted: [], droppedQueued: 0 });
    await h.clock.advanceBy(5 * MINUTE);
    assert.equal(h.launched.length, 1, "scheduled after stop");
    assert.equal(h.clock.pendingTimers, 0);
  });

  it("after the grace period reports the launches still running; queued slots are recorded missed", async () => {
    const h = makeHarness({ now: REFERENCE - SECOND, launches: "manual", maxParallel: 1 });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "a", everySeconds(60)), makeTask("db", "b", everySeconds(60))])]);
    await h.clock.advanceTo(REFERENCE);
    const stopped = h.scheduler.stop({ graceMs: 45 * SECOND });
    await h.clock.advanceBy(45 * SECOND);
    const report = await stopped;
    assert.deepEqual(report, { interrupted: [{ svc: "db", rid: "a", scheduledFor: new Date(REFERENCE) }], droppedQueued: 1 });
    assert.deepEqual(h.ofKind("interrupted").map((e) => e.rid), ["a"]);
    assert.deepEqual(h.missed.map((m) => [m.slot.rid, m.reason]), [["b", "the daemon stopped before the slot could start"]]);
    assert.ok(h.clock.maxArmedMs <= 30 * SECOND);
  });
});

describe("scheduler: DST days (Europe/Paris, Intl-based test schedule)", () => {
  const zone = "Europe/Paris";

  it("spring forward: 02:30 does not exist and runs once right after the gap", async () => {
    const start = Date.UTC(2026, 2, 28, 12, 0);
    const h = makeHarness({ now: start });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "t", zonedDaily(2, 30, zone))])]);
    await h.clock.advanceTo(start + 2 * DAY);
    assert.deepEqual(h.launchedNames(), [
      at("db", "t", Date.UTC(2026, 2, 29, 1, 0)), // 03:00 CEST
      at("db", "t", Date.UTC(2026, 2, 30, 0, 30)), // 02:30 CEST
    ]);
    assert.deepEqual(h.ofKind("clock-jump"), []);
  });

  it("fall back: 02:30 happens twice and runs once, on the first pass", async () => {
    const start = Date.UTC(2026, 9, 24, 12, 0);
    const h = makeHarness({ now: start });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "t", zonedDaily(2, 30, zone))])]);
    await h.clock.advanceTo(start + 2 * DAY);
    assert.deepEqual(h.launchedNames(), [
      at("db", "t", Date.UTC(2026, 9, 25, 0, 30)), // 02:30 CEST, first pass
      at("db", "t", Date.UTC(2026, 9, 26, 1, 30)), // 02:30 CET
    ]);
  });

  it("an hourly UTC task runs every hour across the change, none twice", async () => {
    const start = Date.UTC(2026, 9, 24, 23, 59);
    const h = makeHarness({ now: start });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "t", everySeconds(3600))])]);
    await h.clock.advanceTo(start + 4 * HOUR);
    assert.equal(new Set(h.launchedNames()).size, 4);
    assert.equal(h.launched.length, 4);
    void MINUTE;
  });
});
