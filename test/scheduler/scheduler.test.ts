import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MAX_TIMER_MS } from "../../src/scheduler/clock-jump.js";
import { CATCHUP_ALL_MAX_RUNS } from "../../src/scheduler/planner.js";
import { dailyAt, everySeconds } from "../helpers/fake-schedules.js";
import { makeHarness, makeTask, tasksUpdate } from "./harness.js";
import { DAY, HOUR, MINUTE, REFERENCE, SECOND, iso } from "./time.js";

const at = (svc: string, rid: string, ms: number) => `${svc}/${rid}@${iso(ms)}`;

describe("scheduler: due slots", () => {
  it("launches each slot once, on time, with timers never armed beyond 30 s", async () => {
    const h = makeHarness({ now: REFERENCE + 10 * SECOND });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "task#0", everySeconds(60))])]);
    await h.clock.advanceTo(REFERENCE + MINUTE - 1);
    assert.equal(h.launched.length, 0);
    await h.clock.advanceTo(REFERENCE + 3 * MINUTE);
    assert.deepEqual(h.launchedNames(), [1, 2, 3].map((m) => at("db", "task#0", REFERENCE + m * MINUTE)));
    assert.ok(h.launched.every((l) => l.catchup === false));
    assert.ok(h.clock.maxArmedMs <= MAX_TIMER_MS);
    assert.deepEqual(h.ofKind("finished").length, 3);
    assert.deepEqual(h.ofKind("clock-jump"), []);
  });

  it("a daily task arms 30 s timers and re-checks, firing at its instant", async () => {
    const h = makeHarness({ now: REFERENCE });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "backup", dailyAt(3, 0))])]);
    await h.clock.advanceTo(REFERENCE + 3 * HOUR + 1);
    assert.deepEqual(h.launchedNames(), [at("db", "backup", REFERENCE + 3 * HOUR)]);
    assert.equal(h.clock.maxArmedMs, MAX_TIMER_MS);
    assert.ok(h.clock.armed.length >= 360, `re-checks: ${h.clock.armed.length}`);
  });

  it("planned, started and finished events name service, rid and slot", async () => {
    const h = makeHarness({ now: REFERENCE - SECOND });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "task#0", everySeconds(60))])]);
    await h.clock.advanceTo(REFERENCE);
    const kinds = h.events.map((e) => e.kind);
    assert.deepEqual(kinds, ["planned", "planned", "started", "finished"]);
    const started = h.ofKind("started")[0]!;
    assert.equal(started.svc, "db");
    assert.equal(started.rid, "task#0");
    assert.equal(iso(started.slot), iso(REFERENCE));
  });
});

describe("scheduler: catch-up after downtime", () => {
  const last = { "db/backup": REFERENCE + 3 * HOUR };
  const now = REFERENCE + 3 * DAY + 5 * HOUR;

  it("latest: one catch-up run of the most recent slot, the others recorded missed", async () => {
    const h = makeHarness({ now, last });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "backup", dailyAt(3, 0))])]);
    await h.clock.idle();
    assert.deepEqual(h.launchedNames(), [at("db", "backup", REFERENCE + 3 * DAY + 3 * HOUR)]);
    assert.equal(h.launched[0]!.catchup, true);
    assert.deepEqual(h.missed.map((m) => iso(m.slot.scheduledFor)), [iso(REFERENCE + DAY + 3 * HOUR), iso(REFERENCE + 2 * DAY + 3 * HOUR)]);
    assert.deepEqual(h.ofKind("missed").map((e) => e.reason), ["superseded", "superseded"]);
  });

  it("none: nothing runs, every missed slot is recorded", async () => {
    const h = makeHarness({ now, last });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "backup", dailyAt(3, 0), { catchup: "none" })])]);
    await h.clock.idle();
    assert.deepEqual(h.launched, []);
    assert.equal(h.missed.length, 3);
    assert.ok(h.missed.every((m) => m.reason === "catchup = none"));
  });

  it("all: every missed slot runs in order, bounded", async () => {
    const h = makeHarness({ now: REFERENCE + 40 * MINUTE + 10 * SECOND, last: { "db/t": REFERENCE }, maxParallel: 4 });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "t", everySeconds(60), { catchup: "all" })])]);
    await h.clock.idle();
    assert.equal(h.launched.length, CATCHUP_ALL_MAX_RUNS);
    const slots = h.launched.map((l) => l.scheduledFor.getTime());
    assert.deepEqual(slots, [...slots].sort((a, b) => a - b));
    assert.equal(iso(slots.at(-1)!), iso(REFERENCE + 40 * MINUTE));
    assert.equal(h.missed.length, 40 - CATCHUP_ALL_MAX_RUNS);
  });

  it("catchup_window: a missed slot older than the window is recorded, not run", async () => {
    const h = makeHarness({ now, last });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "backup", dailyAt(3, 0), { catchupWindowMs: HOUR })])]);
    await h.clock.idle();
    assert.deepEqual(h.launched, []);
    assert.ok(h.missed.every((m) => /older than catchup_window \(1h\)/.test(m.reason)));
  });
});

describe("scheduler: clock jumps", () => {
  it("backward jump: an interval task keeps its pace; no (slot, attempt) runs twice; the jump is reported", async () => {
    const h = makeHarness({ now: REFERENCE - SECOND });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "t", everySeconds(60))])]);
    await h.clock.advanceTo(REFERENCE + 10 * MINUTE);
    assert.equal(h.launched.length, 11);
    h.clock.jumpTo(REFERENCE + 2 * MINUTE);
    await h.clock.advanceBy(12 * MINUTE);
    const names = h.launched.map((l) => `${at("db", "t", l.scheduledFor.getTime())}${l.repeat === true ? " again" : ""}`);
    assert.equal(new Set(names).size, names.length, "a slot ran twice as the same attempt");
    assert.equal(names.length, 11 + 12, "one run a minute of real time");
    assert.equal(names[11], `${at("db", "t", REFERENCE + 3 * MINUTE)} again`);
    assert.equal(names.at(-1), at("db", "t", REFERENCE + 14 * MINUTE));
    const jumps = h.ofKind("clock-jump");
    assert.deepEqual(jumps.map((j) => j.jump.kind), ["jump-backward"]);
  });

  it("forward jump: reported, and the catch-up policy decides (latest: one run)", async () => {
    const h = makeHarness({ now: REFERENCE - SECOND });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "t", everySeconds(600))])]);
    await h.clock.advanceTo(REFERENCE + 5 * MINUTE);
    h.clock.jumpTo(REFERENCE + 2 * HOUR + 5 * MINUTE);
    await h.clock.advanceBy(MAX_TIMER_MS);
    assert.deepEqual(h.ofKind("clock-jump").map((j) => j.jump.kind), ["jump-forward"]);
    assert.deepEqual(h.launchedNames(), [at("db", "t", REFERENCE), at("db", "t", REFERENCE + 2 * HOUR)]);
    assert.equal(h.launched[1]!.catchup, true);
    assert.equal(h.missed.length, 11);
  });

  it("suspend over a slot, then resume: catchup none records it, latest runs it once", async () => {
    for (const catchup of ["none", "latest"] as const) {
      const h = makeHarness({ now: REFERENCE });
      h.scheduler.start([tasksUpdate("db", [makeTask("db", "backup", dailyAt(3, 0), { catchup })])]);
      await h.clock.advanceTo(REFERENCE + 2 * HOUR);
      h.clock.jumpTo(REFERENCE + 9 * HOUR); // suspended 7 h: no timer fired meanwhile
      await h.clock.advanceBy(MAX_TIMER_MS);
      assert.deepEqual(h.ofKind("clock-jump").map((j) => j.jump.kind), ["jump-forward"]);
      if (catchup === "none") {
        assert.deepEqual(h.launched, []);
        assert.deepEqual(h.missed.map((m) => iso(m.slot.scheduledFor)), [iso(REFERENCE + 3 * HOUR)]);
      } else {
        assert.deepEqual(h.launchedNames(), [at("db", "backup", REFERENCE + 3 * HOUR)]);
        assert.equal(h.launched[0]!.catchup, true);
      }
    }
  });

  it("a slightly late wake is on time for the planner and reported as late", async () => {
    const h = makeHarness({ now: REFERENCE + SECOND, launches: "instant" });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "t", everySeconds(60), { catchup: "none" })])]);
    await h.clock.advanceTo(REFERENCE + 50 * SECOND);
    h.clock.jumpTo(REFERENCE + 55 * SECOND); // 5 s lost (short suspend)
    await h.clock.advanceBy(10 * SECOND);
    assert.deepEqual(h.ofKind("clock-jump").map((j) => j.jump.kind), ["late"]);
    assert.deepEqual(h.launchedNames(), [at("db", "t", REFERENCE + MINUTE)]);
    assert.equal(h.launched[0]!.catchup, false);
  });
});
