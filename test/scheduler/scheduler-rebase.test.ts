/**
 * Scheduler.rebase: a task continues from a slot given from outside (the newest slot claimed in
 * the cluster, when this node becomes a service's owner) instead of its own baseline; the
 * catch-up policy applies to the slots after it.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { everySeconds } from "../helpers/fake-schedules.js";
import { makeHarness, makeTask, tasksUpdate } from "./harness.js";
import { MINUTE, REFERENCE, SECOND, iso } from "./time.js";

const at = (ms: number) => `db/t@${iso(ms)}`;

describe("scheduler: rebase (continue from the cluster's claimed slots)", () => {
  it("catchup = latest: the newest slot after the given one runs now, the older ones are recorded missed; then the schedule goes on", async () => {
    const h = makeHarness({ now: REFERENCE - SECOND });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "t", everySeconds(60))])]);
    await h.clock.advanceTo(REFERENCE + 5 * MINUTE + 30 * SECOND);
    assert.equal(h.launchedNames().length, 6);
    h.scheduler.rebase("db/t", new Date(REFERENCE + 2 * MINUTE));
    await h.clock.advanceTo(REFERENCE + 5 * MINUTE + 31 * SECOND);
    assert.deepEqual(h.launchedNames().slice(6), [at(REFERENCE + 5 * MINUTE)], "the newest slot after the claimed one runs again here");
    assert.equal(h.launched.at(-1)!.catchup, false, "30 s late: within the late threshold, it runs as on time");
    assert.deepEqual(h.missed.map((m) => iso(m.slot.scheduledFor)), [iso(REFERENCE + 3 * MINUTE), iso(REFERENCE + 4 * MINUTE)]);
    await h.clock.advanceTo(REFERENCE + 6 * MINUTE + 30 * SECOND);
    assert.deepEqual(h.launchedNames().slice(7), [at(REFERENCE + 6 * MINUTE)]);
  });

  it("catchup = all runs every slot after the given one, in order; none records the late ones missed", async () => {
    const all = makeHarness({ now: REFERENCE - SECOND });
    all.scheduler.start([tasksUpdate("db", [makeTask("db", "t", everySeconds(60), { catchup: "all" })])]);
    await all.clock.advanceTo(REFERENCE + 3 * MINUTE + 30 * SECOND);
    all.scheduler.rebase("db/t", new Date(REFERENCE));
    await all.clock.advanceTo(REFERENCE + 3 * MINUTE + 32 * SECOND);
    assert.deepEqual(all.launchedNames().slice(4), [1, 2, 3].map((m) => at(REFERENCE + m * MINUTE)));

    const none = makeHarness({ now: REFERENCE - SECOND });
    none.scheduler.start([tasksUpdate("db", [makeTask("db", "t", everySeconds(60), { catchup: "none" })])]);
    await none.clock.advanceTo(REFERENCE + 3 * MINUTE + 30 * SECOND);
    none.scheduler.rebase("db/t", new Date(REFERENCE));
    await none.clock.advanceTo(REFERENCE + 3 * MINUTE + 32 * SECOND);
    assert.deepEqual(none.launchedNames().slice(4), [at(REFERENCE + 3 * MINUTE)], "only the slot within the late threshold (30 s old) runs");
    assert.deepEqual(none.missed.map((m) => iso(m.slot.scheduledFor)), [1, 2].map((m) => iso(REFERENCE + m * MINUTE)));
  });

  it("no slot claimed yet (null): the task goes on from now, nothing is caught up; an unknown task is ignored", async () => {
    const h = makeHarness({ now: REFERENCE - SECOND });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "t", everySeconds(60))])]);
    await h.clock.advanceTo(REFERENCE + 2 * MINUTE + 30 * SECOND);
    h.scheduler.rebase("db/t", null);
    h.scheduler.rebase("db/nope", new Date(REFERENCE));
    await h.clock.advanceTo(REFERENCE + 3 * MINUTE + 30 * SECOND);
    assert.deepEqual(h.launchedNames(), [0, 1, 2, 3].map((m) => at(REFERENCE + m * MINUTE)));
    assert.deepEqual(h.missed, []);
  });
});
