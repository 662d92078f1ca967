/**
 * DST days through the loop with the real schedule engine (src/schedule), Europe/Paris.
 * The engine decides the instants (design §6, cronie's rule); the loop must run each once.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { parseSchedule } from "../../src/schedule/index.js";
import { makeHarness, makeTask, tasksUpdate } from "./harness.js";
import { DAY, HOUR, iso } from "./time.js";

const zone = "Europe/Paris";
const paris = (expr: string) => parseSchedule(expr, { timezone: zone });

describe("scheduler + engine: DST days", () => {
  it("spring forward: fixed 02:30 runs once right after the gap; nothing twice", async () => {
    const start = Date.UTC(2026, 2, 28, 12, 0);
    const h = makeHarness({ now: start });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "t", paris("30 2 * * *"))])]);
    await h.clock.advanceTo(start + 2 * DAY);
    assert.deepEqual(h.launched.map((l) => iso(l.scheduledFor)), [iso(Date.UTC(2026, 2, 29, 1, 0)), iso(Date.UTC(2026, 2, 30, 0, 30))]);
  });

  it("fall back: fixed 02:30 runs once on the first pass", async () => {
    const start = Date.UTC(2026, 9, 24, 12, 0);
    const h = makeHarness({ now: start });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "t", paris("30 2 * * *"))])]);
    await h.clock.advanceTo(start + 2 * DAY);
    assert.deepEqual(h.launched.map((l) => iso(l.scheduledFor)), [iso(Date.UTC(2026, 9, 25, 0, 30)), iso(Date.UTC(2026, 9, 26, 1, 30))]);
  });

  it("fall back: a wildcard-hour schedule runs on both passes, each instant once", async () => {
    const start = Date.UTC(2026, 9, 24, 22, 0);
    const h = makeHarness({ now: start });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "t", paris("30 * * * *"))])]);
    await h.clock.advanceTo(start + 5 * HOUR);
    const slots = h.launched.map((l) => iso(l.scheduledFor));
    assert.equal(new Set(slots).size, slots.length);
    assert.deepEqual(slots, [22, 23, 24, 25, 26].map((hh) => iso(Date.UTC(2026, 9, 24, hh, 30))));
  });
});
