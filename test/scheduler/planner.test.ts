import { describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  CATCHUP_ALL_MAX_RUNS, DISTRUST_TOLERANCE_MS, MISSED_RECORD_LIMIT, planTask, type PlanInput,
} from "../../src/scheduler/planner.js";
import { dailyAt, everySeconds, intervalFromLast, never } from "../helpers/fake-schedules.js";
import { DAY, HOUR, MINUTE, REFERENCE, SECOND, iso } from "./time.js";

const at = (ms: number) => new Date(ms);
const input = (over: Partial<PlanInput>): PlanInput => ({
  schedule: everySeconds(60), catchup: "latest", catchupWindowMs: null, lastScheduled: null, ...over,
});
const isos = (ds: readonly { scheduledFor: Date }[]) => ds.map((d) => iso(d.scheduledFor));

describe("planTask: on time", () => {
  it("first-ever plan waits for the first slot and never catches up", () => {
    const p = planTask(input({}), at(REFERENCE + 10 * SECOND));
    assert.deepEqual(p.launches, []);
    assert.deepEqual(p.missed, []);
    assert.equal(iso(p.nextWake!), iso(REFERENCE + MINUTE));
    assert.equal(p.lastScheduled, null);
    assert.equal(iso(p.horizon!), iso(REFERENCE + 10 * SECOND));
  });

  it("first-ever plan runs a slot at now (OpenSVC window semantics)", () => {
    const p = planTask(input({ schedule: intervalFromLast(10) }), at(REFERENCE));
    assert.deepEqual(isos(p.launches), [iso(REFERENCE)]);
    assert.equal(p.launches[0]!.catchup, false);
    assert.equal(iso(p.nextWake!), iso(REFERENCE + 10 * MINUTE));
  });

  it("a due slot launches once and the next wake is the following slot", () => {
    const p = planTask(input({ lastScheduled: at(REFERENCE), lastScheduledSource: "memory" }), at(REFERENCE + MINUTE + 5));
    assert.deepEqual(isos(p.launches), [iso(REFERENCE + MINUTE)]);
    assert.equal(iso(p.nextWake!), iso(REFERENCE + 2 * MINUTE));
    assert.equal(iso(p.lastScheduled!), iso(REFERENCE + MINUTE));
  });

  it("the pending first slot (horizon kept) still launches when the wake is slightly late", () => {
    const p = planTask(input({ horizon: at(REFERENCE + 10 * SECOND) }), at(REFERENCE + MINUTE + 300));
    assert.deepEqual(isos(p.launches), [iso(REFERENCE + MINUTE)]);
  });

  it("a slot late by less than LATE_THRESHOLD runs as on time even with catchup = none", () => {
    const p = planTask(input({ catchup: "none", lastScheduled: at(REFERENCE) }), at(REFERENCE + MINUTE + 40 * SECOND));
    assert.deepEqual(p.launches.map((l) => l.catchup), [false]);
  });

  it("a schedule without slots gives no wake", () => {
    const p = planTask(input({ schedule: never() }), at(REFERENCE));
    assert.equal(p.nextWake, null);
  });
});

describe("planTask: catch-up policies after downtime", () => {
  const last = at(REFERENCE);
  const now = at(REFERENCE + 10 * MINUTE + 30 * SECOND + 2 * MINUTE); // slots 1..12 missed, 12 is 30 s old

  it("latest: the most recent slot runs once as catch-up when not on time; the others are superseded", () => {
    const p = planTask(input({ lastScheduled: last }), at(REFERENCE + 10 * MINUTE + 5 * MINUTE));
    // slot 15 is exactly now: on time.
    assert.deepEqual(p.launches.map((l) => [iso(l.scheduledFor), l.catchup]), [[iso(REFERENCE + 15 * MINUTE), false]]);
    assert.equal(p.missed.length, 14);
    assert.ok(p.missed.every((m) => m.reason === "superseded" && m.count === 1));
  });

  it("latest: after a long stop the most recent slot runs with catchup = true", () => {
    const p = planTask(input({ schedule: dailyAt(3, 0), lastScheduled: at(REFERENCE + 3 * HOUR) }), at(REFERENCE + 2 * DAY + 5 * HOUR));
    assert.deepEqual(p.launches.map((l) => [iso(l.scheduledFor), l.catchup]), [[iso(REFERENCE + 2 * DAY + 3 * HOUR), true]]);
    assert.deepEqual(isos(p.missed), [iso(REFERENCE + DAY + 3 * HOUR)]);
    assert.equal(p.missed[0]!.reason, "superseded");
    assert.equal(iso(p.nextWake!), iso(REFERENCE + 3 * DAY + 3 * HOUR));
  });

  it("none: nothing older than the late threshold runs; all recorded missed", () => {
    const p = planTask(input({ catchup: "none", schedule: dailyAt(3, 0), lastScheduled: at(REFERENCE + 3 * HOUR) }), at(REFERENCE + 2 * DAY + 5 * HOUR));
    assert.deepEqual(p.launches, []);
    assert.deepEqual(p.missed.map((m) => m.reason), ["catchup-none", "catchup-none"]);
    assert.equal(iso(p.lastScheduled!), iso(REFERENCE + 2 * DAY + 3 * HOUR));
  });

  it("all: every missed slot runs oldest first, up to the bound", () => {
    const p = planTask(input({ catchup: "all", lastScheduled: last }), now);
    assert.equal(p.launches.length, 12);
    assert.deepEqual(p.launches.map((l) => l.catchup), [...Array(11).fill(true), false]);
    assert.deepEqual(p.missed, []);
  });

  it("all: beyond CATCHUP_ALL_MAX_RUNS the older slots are recorded as catchup-limit", () => {
    const p = planTask(input({ catchup: "all", lastScheduled: last }), at(REFERENCE + 40 * MINUTE + 5 * MINUTE));
    assert.equal(p.launches.length, CATCHUP_ALL_MAX_RUNS);
    assert.equal(iso(p.launches[0]!.scheduledFor), iso(REFERENCE + (45 - CATCHUP_ALL_MAX_RUNS + 1) * MINUTE));
    assert.equal(p.missed.length, 45 - CATCHUP_ALL_MAX_RUNS);
    assert.ok(p.missed.every((m) => m.reason === "catchup-limit"));
  });

  it("catchup_window: older slots are missed, the latest inside the window runs", () => {
    const p = planTask(input({ catchupWindowMs: 5 * MINUTE, lastScheduled: last }), at(REFERENCE + 20 * MINUTE + 90 * SECOND));
    assert.deepEqual(isos(p.launches), [iso(REFERENCE + 21 * MINUTE)]);
    const reason = (m: number) => p.missed.find((x) => x.scheduledFor.getTime() === REFERENCE + m * MINUTE)?.reason;
    assert.deepEqual([1, 16, 17, 20].map(reason), ["outside-catchup-window", "outside-catchup-window", "superseded", "superseded"]);
  });

  it("catchup_window: when even the latest slot is outside the window, nothing runs", () => {
    const p = planTask(input({ schedule: dailyAt(3, 0), catchupWindowMs: HOUR, lastScheduled: at(REFERENCE + 3 * HOUR) }), at(REFERENCE + DAY + 5 * HOUR));
    assert.deepEqual(p.launches, []);
    assert.equal(p.missed[0]!.reason, "outside-catchup-window");
    assert.match(p.missed[0]!.detail, /older than catchup_window \(1h\)/);
  });
});

describe("planTask: bounded work", () => {
  it("a @1s task down for 30 days: bounded engine calls, capped records, one summary", () => {
    const schedule = everySeconds(1);
    const now = REFERENCE + 30 * DAY + 500;
    const p = planTask(input({ schedule, lastScheduled: at(REFERENCE) }), at(now));
    assert.ok(schedule.calls < 2_000, `engine calls: ${schedule.calls}`);
    assert.deepEqual(isos(p.launches), [iso(REFERENCE + 30 * DAY)]);
    assert.equal(p.missed.length, MISSED_RECORD_LIMIT + 1);
    const summary = p.missed[MISSED_RECORD_LIMIT]!;
    assert.equal(summary.reason, "summary");
    assert.equal(summary.estimated, true);
    const total = MISSED_RECORD_LIMIT + summary.count + 1;
    assert.ok(Math.abs(total - 30 * 86_400) <= 2, `accounted ${total}`);
    assert.match(summary.detail, /^about \d+ missed slots from 2026-07-01T00:01:41.000Z to 2026-07-30T23:59:59.000Z not recorded one by one/);
    assert.equal(iso(p.nextWake!), iso(REFERENCE + 30 * DAY + SECOND));
    assert.equal(iso(summary.from!), iso(REFERENCE + 101 * SECOND));
    assert.equal(iso(summary.scheduledFor), iso(REFERENCE + 30 * DAY - SECOND));
  });

  it("none with 151 missed slots: 100 records and a summary ending at the latest missed slot", () => {
    const p = planTask(input({ catchup: "none", lastScheduled: at(REFERENCE) }), at(REFERENCE + 150 * MINUTE + 2 * MINUTE));
    assert.equal(p.launches.length, 1); // slot 152 is on time
    assert.equal(p.missed.length, MISSED_RECORD_LIMIT + 1);
    const summary = p.missed.at(-1)!;
    assert.equal(summary.count, 51);
    assert.equal(summary.estimated, true); // more than the head limit: the middle is estimated
    assert.equal(iso(summary.from!), iso(REFERENCE + 101 * MINUTE));
    assert.equal(iso(summary.scheduledFor), iso(REFERENCE + 151 * MINUTE));
    assert.match(summary.detail, /^about 51 missed slots from .* \(limit 100 per task and pass; latest reason: catchup = none\)$/);
  });

  it("catchup = all with a long downtime runs the most recent bound of slots", () => {
    const schedule = everySeconds(1);
    const p = planTask(input({ schedule, catchup: "all", lastScheduled: at(REFERENCE) }), at(REFERENCE + DAY));
    assert.equal(p.launches.length, CATCHUP_ALL_MAX_RUNS);
    assert.equal(iso(p.launches.at(-1)!.scheduledFor), iso(REFERENCE + DAY));
    assert.equal(iso(p.launches[0]!.scheduledFor), iso(REFERENCE + DAY - (CATCHUP_ALL_MAX_RUNS - 1) * SECOND));
  });
});

describe("planTask: stored instants", () => {
  it("a stored last slot in the future is distrusted; planning proceeds from now", () => {
    const stored = at(REFERENCE + 3 * DAY);
    const p = planTask(input({ lastScheduled: stored }), at(REFERENCE + MINUTE));
    assert.equal(iso(p.distrusted!), iso(stored));
    assert.deepEqual(p.launches, []); // the slot at now is not strictly after now
    assert.equal(iso(p.nextWake!), iso(REFERENCE + 2 * MINUTE));
    assert.equal(iso(p.lastScheduled!), iso(REFERENCE + MINUTE));
  });

  it("the tolerance is 3 hours, as in the schedule engine (design §6)", () => {
    assert.equal(DISTRUST_TOLERANCE_MS, 3 * HOUR);
    const p = planTask(input({ lastScheduled: at(REFERENCE + MINUTE + 3 * HOUR + SECOND) }), at(REFERENCE + MINUTE));
    assert.equal(iso(p.distrusted!), iso(REFERENCE + MINUTE + 3 * HOUR + SECOND));
    assert.equal(p.futureKept, null);
  });

  it("within 3 hours it stands: no slot at or before it runs, and it is reported as kept", () => {
    const stored = at(REFERENCE + MINUTE + 2 * HOUR);
    const p = planTask(input({ lastScheduled: stored }), at(REFERENCE + MINUTE));
    assert.equal(p.distrusted, null);
    assert.equal(iso(p.futureKept!), iso(stored));
    assert.deepEqual(p.launches, []);
    assert.equal(iso(p.nextWake!), iso(REFERENCE + 2 * HOUR + 2 * MINUTE));
  });

  it("an in-memory last slot is authoritative even when the clock went back", () => {
    const p = planTask(input({ lastScheduled: at(REFERENCE + HOUR), lastScheduledSource: "memory" }), at(REFERENCE));
    assert.equal(p.distrusted, null);
    assert.deepEqual(p.launches, []);
    assert.equal(iso(p.nextWake!), iso(REFERENCE + HOUR + MINUTE));
  });
});
