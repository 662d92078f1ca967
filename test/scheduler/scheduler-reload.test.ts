import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { formatDaemonEvent } from "../../src/scheduler/event-format.js";
import { everySeconds } from "../helpers/fake-schedules.js";
import { makeHarness, makeTask, tasksUpdate } from "./harness.js";
import { MINUTE, REFERENCE, SECOND, iso } from "./time.js";

const at = (svc: string, rid: string, ms: number) => `${svc}/${rid}@${iso(ms)}`;

describe("scheduler: hot reload", () => {
  it("mid-interval: a changed schedule takes effect from its next slot; nothing runs because of the reload", async () => {
    const h = makeHarness({ now: REFERENCE - SECOND, launches: "manual" });
    const a = makeTask("web", "a", everySeconds(600));
    const b = makeTask("web", "b", everySeconds(60));
    const c = makeTask("web", "c", everySeconds(60));
    h.scheduler.start([tasksUpdate("web", [a, b, c])]);
    await h.clock.advanceTo(REFERENCE + 5 * MINUTE + 30 * SECOND);
    await h.finish(at("web", "a", REFERENCE)); // a's first run ends; it stays idle until 10 min
    const before = h.launched.length;
    const bNext = h.scheduler.snapshot().tasks.find((t) => t.key === "web/b")!.nextWake;
    const eventsBefore = h.events.length;

    h.scheduler.reload([tasksUpdate("web", [makeTask("web", "a", everySeconds(240)), b])]);
    await h.clock.idle();
    assert.equal(h.launched.length, before, "the reload launched something");
    const reloadEvents = h.events.slice(eventsBefore);
    assert.deepEqual(reloadEvents.map((e) => e.kind), ["planned", "reloaded"]);
    assert.deepEqual(h.ofKind("reloaded").at(-1), { kind: "reloaded", svc: "web", added: 0, changed: 1, removed: 1, unchanged: 1 });
    const snap = h.scheduler.snapshot().tasks;
    assert.equal(iso(snap.find((t) => t.key === "web/a")!.nextWake!), iso(REFERENCE + 8 * MINUTE));
    assert.equal(snap.find((t) => t.key === "web/b")!.nextWake, bNext, "unchanged task was replanned");
    assert.equal(snap.find((t) => t.key === "web/c"), undefined);

    await h.clock.advanceTo(REFERENCE + 9 * MINUTE);
    const after = h.launchedNames().slice(before);
    assert.ok(after.includes(at("web", "a", REFERENCE + 8 * MINUTE)));
    assert.ok(!after.some((n) => n.startsWith("web/c@")), "removed task still runs");
    assert.ok(!after.includes(at("web", "a", REFERENCE + 10 * MINUTE)));
  });

  it("a running launch is unaffected by its task's reload or removal", async () => {
    const h = makeHarness({ now: REFERENCE - SECOND, launches: "manual" });
    h.scheduler.start([tasksUpdate("web", [makeTask("web", "a", everySeconds(600))])]);
    await h.clock.advanceTo(REFERENCE + SECOND);
    h.scheduler.reload([{ kind: "removed", svc: "web" }]);
    await h.clock.idle();
    await h.finish(at("web", "a", REFERENCE));
    const finished = h.ofKind("finished");
    assert.equal(finished.length, 1);
    assert.equal(iso(finished[0]!.slot), iso(REFERENCE));
  });

  it("bursts of ConfigChanged collapse into one pass; the last version wins", async () => {
    const h = makeHarness({ now: REFERENCE + SECOND });
    h.scheduler.start([tasksUpdate("web", [makeTask("web", "a", everySeconds(60))])]);
    await h.clock.idle();
    for (const s of [120, 180, 300]) h.scheduler.reload([tasksUpdate("web", [makeTask("web", "a", everySeconds(s))])]);
    await h.clock.idle();
    assert.equal(h.ofKind("reloaded").length, 1);
    assert.equal(iso(h.scheduler.snapshot().tasks[0]!.nextWake!), iso(REFERENCE + 5 * MINUTE));
  });

  it("a task added by reload starts with its first slot after the reload, without catch-up", async () => {
    const h = makeHarness({ now: REFERENCE + 30 * MINUTE + SECOND, last: { "web/new": REFERENCE } });
    h.scheduler.start([]);
    h.scheduler.reload([tasksUpdate("web", [makeTask("web", "new", everySeconds(60))])]);
    await h.clock.idle();
    assert.deepEqual(h.launched, []);
    assert.deepEqual(h.missed, []);
    await h.clock.advanceTo(REFERENCE + 31 * MINUTE);
    assert.deepEqual(h.launchedNames(), [at("web", "new", REFERENCE + 31 * MINUTE)]);
  });

  it("an invalid service stops its tasks and says why", async () => {
    const h = makeHarness({ now: REFERENCE + SECOND });
    h.scheduler.start([tasksUpdate("web", [makeTask("web", "a", everySeconds(60))])]);
    await h.clock.idle();
    h.scheduler.reload([{ kind: "invalid", svc: "web", detail: "web.conf:3 [task#0] bad value for timeout" }]);
    await h.clock.advanceBy(5 * MINUTE);
    assert.deepEqual(h.launched, []);
    const ns = h.ofKind("not-scheduled");
    assert.deepEqual(ns.map((e) => [e.svc, e.reason, e.detail]), [["web", "invalid-service", "web.conf:3 [task#0] bad value for timeout"]]);
    assert.equal(h.clock.pendingTimers, 0);
  });
});

describe("scheduler: not scheduled", () => {
  it("disabled, confirmation and schedule-less tasks get no timer; the log says why", async () => {
    const h = makeHarness({ now: REFERENCE });
    h.scheduler.start([tasksUpdate("db", [
      makeTask("db", "t0", everySeconds(60), { notScheduledReason: "disabled" }),
      makeTask("db", "t1", everySeconds(60), { notScheduledReason: "confirmation" }),
      makeTask("db", "t2", null),
    ])]);
    await h.clock.advanceBy(3 * MINUTE);
    assert.deepEqual(h.launched, []);
    assert.deepEqual(h.ofKind("not-scheduled").map((e) => [e.rid, e.reason, e.detail]), [
      ["t0", "disabled", "the task is disabled"],
      ["t1", "confirmation", "confirmation = true: the task never runs unattended"],
      ["t2", "no-schedule", "no schedule"],
    ]);
    assert.equal(h.clock.pendingTimers, 0);
  });

  it("a schedule engine failure disables only that task", async () => {
    const h = makeHarness({ now: REFERENCE + SECOND });
    const broken = everySeconds(60);
    broken.next = () => { throw new Error("engine exploded"); };
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "bad", broken), makeTask("db", "ok", everySeconds(60))])]);
    await h.clock.advanceBy(MINUTE);
    assert.deepEqual(h.ofKind("not-scheduled").map((e) => [e.rid, e.reason, e.detail]), [["bad", "schedule-error", "engine exploded"]]);
    assert.deepEqual(h.launchedNames(), [at("db", "ok", REFERENCE + MINUTE)]);
  });
});

describe("scheduler: stored instants", () => {
  it("a stored last slot in the future is distrusted, logged once, and scheduling proceeds from now", async () => {
    const h = makeHarness({ now: REFERENCE + 10 * SECOND, last: { "db/t": REFERENCE + 30 * 24 * 60 * MINUTE } });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "t", everySeconds(60))])]);
    await h.clock.advanceTo(REFERENCE + 3 * MINUTE);
    const d = h.ofKind("distrusted-last");
    assert.equal(d.length, 1);
    assert.equal(iso(d[0]!.stored), iso(REFERENCE + 30 * 24 * 60 * MINUTE));
    assert.equal(d[0]!.kept, false);
    assert.match(formatDaemonEvent(d[0]!), /stored=2026-07-31T00:00:00.000Z now=2026-07-01T00:00:10.000Z \(more than 3 h in the future: counts as now/);
    assert.deepEqual(h.launchedNames(), [1, 2, 3].map((m) => at("db", "t", REFERENCE + m * MINUTE)));
  });

  it("a stored last slot at most 3 h ahead stands, logged once with both instants; runs resume after it", async () => {
    const stored = REFERENCE + 2 * 60 * MINUTE;
    const h = makeHarness({ now: REFERENCE + 10 * SECOND, last: { "db/t": stored } });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "t", everySeconds(60))])]);
    await h.clock.advanceTo(stored + 2 * MINUTE);
    const d = h.ofKind("distrusted-last");
    assert.equal(d.length, 1);
    assert.equal(d[0]!.kept, true);
    assert.match(formatDaemonEvent(d[0]!), /stored=2026-07-01T02:00:00.000Z now=2026-07-01T00:00:10.000Z \(in the future by 3 h or less: kept/);
    assert.deepEqual(h.launchedNames(), [1, 2].map((m) => at("db", "t", stored + m * MINUTE)));
  });
});
