/**
 * Clock steps and catch-up through the loop with an injected clock (cronie's classes, design §6):
 * after the clock is set back, fixed-time slots already run are not run again, interval and
 * wildcard schedules keep their pace in real time; missed slots under `catchup = all` run one
 * after another, in order, each against its own slot.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { CATCHUP_ALL_MAX_RUNS } from "../../src/scheduler/planner.js";
import { parseSchedule } from "../../src/schedule/index.js";
import { dailyAt, everySeconds } from "../helpers/fake-schedules.js";
import { makeHarness, makeTask, tasksUpdate } from "./harness.js";
import { HOUR, MINUTE, REFERENCE, SECOND, iso } from "./time.js";

const utc = (expr: string) => parseSchedule(expr, { timezone: "UTC" });
const slotsOf = (h: ReturnType<typeof makeHarness>) => h.launched.map((l) => l.scheduledFor.getTime());

describe("scheduler: the clock set back one hour", () => {
  it("@20s keeps running every 20 s of real time; the repeated instants are marked, none runs twice as the same attempt", async () => {
    const h = makeHarness({ now: REFERENCE - SECOND });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "t", utc("@20s"))])]);
    await h.clock.advanceTo(REFERENCE + 2 * HOUR);
    const before = h.launched.length;
    h.clock.jumpTo(REFERENCE + HOUR); // NTP or an operator sets the clock back 1 h
    await h.clock.advanceBy(10 * MINUTE);
    const after = h.launched.slice(before);
    assert.ok(after.length >= 29 && after.length <= 31, `runs in the 10 min after the step: ${after.length}`);
    const gaps = after.slice(1).map((l, i) => l.scheduledFor.getTime() - after[i]!.scheduledFor.getTime());
    assert.ok(gaps.every((g) => g === 20 * SECOND), `real-time pace: ${gaps.join(",")}`);
    assert.ok(after.every((l) => l.repeat === true), "instants already seen are repeats (next attempt of the slot)");
    assert.deepEqual(h.ofKind("clock-jump").map((j) => j.jump.kind), ["jump-backward"]);
    const step = h.ofKind("clock-step");
    assert.equal(step.length, 1);
    assert.equal(step[0]!.policy, "keep-pace");
    assert.equal(step[0]!.last.getTime() - step[0]!.baseline.getTime(), HOUR, "both instants, an hour apart");
  });

  it("a wildcard cron (every 5 min) keeps its pace; back past the old instants, runs are plain again", async () => {
    const h = makeHarness({ now: REFERENCE - SECOND });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "t", utc("*/5 * * * *"))])]);
    await h.clock.advanceTo(REFERENCE + 30 * MINUTE + 10 * SECOND);
    const before = h.launched.length;
    h.clock.jumpTo(REFERENCE + 10 * MINUTE + 10 * SECOND); // 20 min back
    await h.clock.advanceBy(30 * MINUTE);
    const after = h.launched.slice(before).map((l) => `${iso(l.scheduledFor).slice(11, 16)}${l.repeat === true ? " again" : ""}`);
    assert.deepEqual(after, ["00:15 again", "00:20 again", "00:25 again", "00:30 again", "00:35", "00:40"]);
  });

  it("a fixed-time task is not run again; it runs at its next slot", async () => {
    const h = makeHarness({ now: REFERENCE });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "backup", dailyAt(3, 0)), makeTask("db", "fixed", utc("0 3 * * *"))])]);
    await h.clock.advanceTo(REFERENCE + 3 * HOUR + 30 * MINUTE);
    assert.equal(h.launched.length, 2);
    h.clock.jumpTo(REFERENCE + 2 * HOUR + 30 * MINUTE);
    await h.clock.advanceBy(25 * HOUR);
    assert.deepEqual(h.launchedNames().sort(), ["backup", "backup", "fixed", "fixed"].map((r, i) => `db/${r}@${iso(REFERENCE + 3 * HOUR + (i % 2) * 24 * HOUR)}`).sort());
    assert.ok(h.launched.every((l) => l.repeat !== true));
    assert.deepEqual(h.ofKind("clock-step").map((e) => [e.rid, e.policy, iso(e.last)]), [["backup", "wait", iso(REFERENCE + 3 * HOUR)], ["fixed", "wait", iso(REFERENCE + 3 * HOUR)]]);
  });
});

describe("scheduler: the clock set back more than 3 hours", () => {
  it("a fixed-time task counts its last run as now (a reset clock) and runs at its next slot, marked repeated", async () => {
    const h = makeHarness({ now: REFERENCE });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "backup", dailyAt(3, 0)), makeTask("db", "fixed", utc("0 3 * * *"))])]);
    await h.clock.advanceTo(REFERENCE + 3 * HOUR + 30 * MINUTE);
    assert.equal(h.launched.length, 2);
    const stepTo = REFERENCE - 22 * HOUR; // a day back: the last runs lie 25 h ahead
    h.clock.jumpTo(stepTo);
    await h.clock.advanceBy(2 * HOUR);
    const again = h.launched.slice(2);
    assert.deepEqual(again.map((l) => `${l.rid}@${iso(l.scheduledFor)}`).sort(), ["backup", "fixed"].map((r) => `${r}@${iso(REFERENCE - 21 * HOUR)}`));
    assert.ok(again.every((l) => l.repeat === true), "slots before the old last run are repeats");
    const steps = h.ofKind("clock-step");
    assert.deepEqual(steps.map((e) => [e.rid, e.policy, iso(e.last)]), [["backup", "reset", iso(REFERENCE + 3 * HOUR)], ["fixed", "reset", iso(REFERENCE + 3 * HOUR)]]);
    assert.ok(steps.every((e) => e.baseline.getTime() >= stepTo && e.baseline.getTime() < stepTo + MINUTE), "the baseline is now");
  });
});

describe("scheduler: catch-up = all, one after another", () => {
  it("after a forward step of 1 h, the missed slots run one at a time, oldest first, each against its own slot", async () => {
    const h = makeHarness({ now: REFERENCE - SECOND, launches: "manual", maxParallel: 5 });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "t", everySeconds(300), { catchup: "all" })])]);
    await h.clock.advanceTo(REFERENCE + SECOND);
    await h.finish(`db/t@${iso(REFERENCE)}`);
    h.clock.jumpTo(REFERENCE + HOUR + SECOND);
    await h.clock.advanceBy(MAX_WAKE);
    const ran: number[] = [];
    for (let i = 0; i < 12; i++) {
      assert.equal(h.runningNames().length, 1, `one run at a time (step ${i}): ${h.runningNames().join(", ")}`);
      const name = h.runningNames()[0]!;
      ran.push(Date.parse(name.slice(name.indexOf("@") + 1)));
      await h.finish(name);
    }
    assert.deepEqual(ran.map(iso), Array.from({ length: 12 }, (_, i) => iso(REFERENCE + (i + 1) * 5 * MINUTE)));
    assert.equal(h.runningNames().length, 0);
    assert.equal(h.missed.length, 0, "nothing skipped or missed within the bound");
  });

  it("after downtime: at most CATCHUP_ALL_MAX_RUNS run, in order; a slot due meanwhile waits its turn", async () => {
    const h = makeHarness({ now: REFERENCE + 40 * MINUTE + 10 * SECOND, last: { "db/t": REFERENCE }, launches: "manual" });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "t", everySeconds(60), { catchup: "all" })])]);
    await h.clock.idle();
    assert.equal(h.launched.length, 1);
    await h.clock.advanceBy(MINUTE); // the 41 min slot comes while the backlog drains
    assert.equal(h.launched.length, 1, "still one at a time");
    while (h.runningNames().length > 0) await h.finish(h.runningNames()[0]!);
    const slots = slotsOf(h);
    assert.equal(slots.length, CATCHUP_ALL_MAX_RUNS + 1);
    assert.deepEqual(slots, [...slots].sort((a, b) => a - b));
    assert.equal(iso(slots.at(-1)!), iso(REFERENCE + 41 * MINUTE));
    assert.equal(h.missed.length, 40 - CATCHUP_ALL_MAX_RUNS);
  });
});

const MAX_WAKE = 30 * SECOND;
