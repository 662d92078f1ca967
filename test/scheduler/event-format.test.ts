import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { formatDaemonEvent } from "../../src/scheduler/event-format.js";
import { REFERENCE } from "./time.js";
import { ranRun } from "../helpers/task-run.js";

const slot = new Date(REFERENCE);
const t = { svc: "db", rid: "task#0", key: "db/task#0" };

describe("formatDaemonEvent", () => {
  it("renders one line per decision with service, rid and slot", () => {
    const lines = [
      formatDaemonEvent({ ...t, kind: "planned", slot }),
      formatDaemonEvent({ ...t, kind: "started", slot, catchup: true }),
      formatDaemonEvent({ ...t, kind: "finished", slot, run: ranRun({ ...t, scheduledFor: slot }, "failed", 7) }),
      formatDaemonEvent({ ...t, kind: "finished", slot, run: ranRun({ ...t, scheduledFor: slot, retry: { attempt: 2, retryOf: 7 } }, "timed_out", 8) }),
      formatDaemonEvent({ ...t, kind: "skipped", slot, reason: "requires", detail: "fs#1 is down" }),
      formatDaemonEvent({ ...t, kind: "missed", slot, reason: "summary", detail: "about 5 missed slots", count: 5 }),
      formatDaemonEvent({ ...t, kind: "not-scheduled", reason: "confirmation", detail: "confirmation = true" }),
      formatDaemonEvent({ kind: "clock-jump", jump: { kind: "jump-backward", deltaMs: -600000 }, expected: slot, observed: new Date(REFERENCE - 600000) }),
      formatDaemonEvent({ kind: "not-scheduled", svc: "web", rid: "", key: "web", reason: "invalid-service", detail: "web.conf:3 bad" }),
    ];
    assert.deepEqual(lines, [
      "planned db task#0 next=2026-07-01T00:00:00.000Z",
      "started db task#0 slot=2026-07-01T00:00:00.000Z catchup",
      "finished db task#0 slot=2026-07-01T00:00:00.000Z status=failed exit=1 run=7",
      "finished db task#0 slot=2026-07-01T00:00:00.000Z status=timed_out run=8 attempt=2",
      'skipped db task#0 slot=2026-07-01T00:00:00.000Z reason=requires detail="fs#1 is down"',
      'missed db task#0 slot=2026-07-01T00:00:00.000Z reason=summary count=5 detail="about 5 missed slots"',
      'not-scheduled db task#0 reason=confirmation detail="confirmation = true"',
      "clock-jump jump-backward delta=-600000ms expected=2026-07-01T00:00:00.000Z observed=2026-06-30T23:50:00.000Z",
      'not-scheduled web reason=invalid-service detail="web.conf:3 bad"',
    ]);
  });
});

describe("a launch that did not run", () => {
  it("is logged as not-run with the reason, never as finished", () => {
    const line = formatDaemonEvent({ ...t, kind: "finished", slot, run: { rid: t.rid, status: "not-run", reason: "the run history database /v/history.sqlite is damaged", failed: true } });
    assert.equal(line, 'not-run db task#0 slot=2026-07-01T00:00:00.000Z reason="the run history database /v/history.sqlite is damaged"');
  });
});
