/** `retry` / `retry_delay`: failed and interrupted slots are tried again, each attempt linked to its slot. */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { nextAttempt } from "../../src/scheduler/retries.js";
import type { TaskRun } from "../../src/run/task-run.js";
import type { LaunchRequest } from "../../src/scheduler/ports.js";
import { ranRun, skippedRun } from "../helpers/task-run.js";
import { dailyAt, everySeconds } from "../helpers/fake-schedules.js";
import { makeHarness, makeTask, tasksUpdate } from "./harness.js";
import { HOUR, MINUTE, REFERENCE, SECOND, iso } from "./time.js";

const failed = (req: LaunchRequest, runId: number): TaskRun => ranRun(req, "failed", runId);
const retry = { count: 2, delayMs: 5 * MINUTE };

describe("retries", () => {
  it("a failed slot is tried again after retry_delay, up to retry times, each attempt linked to the one before", async () => {
    let id = 100;
    const h = makeHarness({ now: REFERENCE + 2 * HOUR, launch: async (req) => failed(req, ++id) });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "backup", dailyAt(3, 0), { retry })])]);
    await h.clock.advanceTo(REFERENCE + 3 * HOUR + 4 * MINUTE);
    assert.equal(h.launched.length, 1);
    await h.clock.advanceTo(REFERENCE + 3 * HOUR + 5 * MINUTE);
    await h.clock.advanceTo(REFERENCE + 3 * HOUR + 20 * MINUTE);
    assert.deepEqual(h.launched.map((l) => [iso(l.scheduledFor), l.retry?.attempt ?? 1, l.retry?.retryOf ?? null]), [
      [iso(REFERENCE + 3 * HOUR), 1, null],
      [iso(REFERENCE + 3 * HOUR), 2, 101],
      [iso(REFERENCE + 3 * HOUR), 3, 102],
    ]);
    assert.deepEqual(h.ofKind("retry-planned").map((e) => [e.attempt, iso(e.at)]), [
      [2, iso(REFERENCE + 3 * HOUR + 5 * MINUTE)],
      [3, iso(REFERENCE + 3 * HOUR + 10 * MINUTE)],
    ]);
  });

  it("a success, a skip or a task without retry is not retried", async () => {
    const outcomes: Array<(req: LaunchRequest) => TaskRun> = [
      (req) => ranRun(req, "succeeded"),
      (req) => skippedRun(req, "requires", "fs#0 down"),
    ];
    for (const outcome of outcomes) {
      const h = makeHarness({ now: REFERENCE + 2 * HOUR, outcome });
      h.scheduler.start([tasksUpdate("db", [makeTask("db", "backup", dailyAt(3, 0), { retry })])]);
      await h.clock.advanceTo(REFERENCE + 4 * HOUR);
      assert.equal(h.launched.length, 1, String(outcome));
    }
    const h = makeHarness({ now: REFERENCE + 2 * HOUR, outcome: (req) => failed(req, 1) });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "backup", dailyAt(3, 0))])]);
    await h.clock.advanceTo(REFERENCE + 4 * HOUR);
    assert.equal(h.launched.length, 1);
  });

  it("a slot aborted by a daemon stop is retried when the daemon starts again", async () => {
    const slot = new Date(REFERENCE + 3 * HOUR);
    const lastAttempt = { "db/backup": { scheduledFor: slot, attempt: 1, recordId: 7, status: "aborted", endedAt: new Date(REFERENCE + 3 * HOUR + MINUTE) } };
    const h = makeHarness({ now: REFERENCE + 3 * HOUR + 2 * MINUTE, last: { "db/backup": slot.getTime() }, lastAttempt });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "backup", dailyAt(3, 0), { retry })])]);
    await h.clock.advanceTo(REFERENCE + 3 * HOUR + 6 * MINUTE + SECOND);
    assert.deepEqual(h.launched.map((l) => [iso(l.scheduledFor), l.retry]), [[iso(slot), { attempt: 2, retryOf: 7 }]]);
    assert.equal(h.ofKind("started")[0]!.attempt, 2);
  });

  it("a retry that would start at or after the task's next slot is not made: the next slot runs instead", async () => {
    let id = 0;
    const h = makeHarness({ now: REFERENCE - SECOND, launch: async (req) => failed(req, ++id) });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "t", everySeconds(600), { retry: { count: 3, delayMs: 15 * MINUTE } })])]);
    await h.clock.advanceTo(REFERENCE + 25 * MINUTE);
    assert.deepEqual(h.launched.map((l) => [iso(l.scheduledFor), l.retry?.attempt ?? 1]), [0, 10, 20].map((m) => [iso(REFERENCE + m * MINUTE), 1]));
    assert.deepEqual(h.ofKind("retry-planned"), []);
  });

  it("nextAttempt: retryable statuses, count and delay", () => {
    assert.equal(nextAttempt({ count: 1, delayMs: 1000 }, { attempt: 1, status: "failed", endedAt: 0 }, 5000, 5000), null, "the next slot comes first");
    const p = { count: 1, delayMs: 1000 };
    assert.deepEqual(nextAttempt(p, { attempt: 1, status: "interrupted", endedAt: 0 }, 5000), { at: 5000, attempt: 2 });
    assert.deepEqual(nextAttempt(p, { attempt: 1, status: "timed_out", endedAt: 4500 }, 5000), { at: 5500, attempt: 2 });
    assert.equal(nextAttempt(p, { attempt: 2, status: "failed", endedAt: 0 }, 5000), null);
    assert.equal(nextAttempt(p, { attempt: 1, status: "skipped", endedAt: 0 }, 5000), null);
    assert.equal(nextAttempt(undefined, { attempt: 1, status: "failed", endedAt: 0 }, 5000), null);
  });
});

describe("retries of a run whose record is not the slot's first", () => {
  it("the next attempt follows the record's own attempt number", async () => {
    const h = makeHarness({ now: REFERENCE + 2 * HOUR, launch: async (req) => {
      const run = failed(req, 9);
      return { ...run, record: { ...run.record!, attempt: req.retry?.attempt ?? 2 } };
    } });
    h.scheduler.start([tasksUpdate("db", [makeTask("db", "backup", dailyAt(3, 0), { retry: { count: 3, delayMs: MINUTE } })])]);
    await h.clock.advanceTo(REFERENCE + 3 * HOUR + MINUTE);
    assert.deepEqual(h.launched.map((l) => l.retry?.attempt ?? "first"), ["first", 3]);
  });
});
