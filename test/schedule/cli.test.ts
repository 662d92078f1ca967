// `svcmgr schedule next|check` through the command modules, with a fake App.
import { test } from "node:test";
import assert from "node:assert/strict";
import type { App } from "../../src/service/app.js";
import type { ParsedArgs } from "../../src/cli/command.js";
import { scheduleCheckCommand, scheduleNextCommand } from "../../src/cli/commands/schedule.js";
import { ScheduleSyntaxError } from "../../src/schedule/index.js";
import { UsageError } from "../../src/core/errors.js";

function fakeApp(nowIso = "2025-03-29T12:00:00Z", timezone = "Europe/Paris"): { app: App; out: () => string } {
  let buf = "";
  const app = {
    timezone,
    clock: { now: () => Date.parse(nowIso), setTimer: () => ({ cancel() {} }) },
    stdout: { write: (t: string) => void (buf += t), color: false },
    stderr: { write: () => {}, color: false },
  } as unknown as App;
  return { app, out: () => buf };
}

function args(expression: string, extra: Record<string, unknown> = {}): ParsedArgs {
  return { _: [], expression, format: "text", ...extra };
}

test("next: text marks the DST-moved run, times shown with their offset", async () => {
  const { app, out } = fakeApp();
  const code = await scheduleNextCommand.run(args("30 2 * * *", { count: 2 }), app);
  assert.equal(code, 0);
  assert.equal(
    out(),
    [
      "schedule  30 2 * * *  (cron, Europe/Paris)",
      "now       2025-03-29T13:00:00+01:00",
      "last      -",
      "1  2025-03-30T03:00:00+02:00  Sun  DST: its time does not exist that day; runs right after the gap",
      "2  2025-03-31T02:30:00+02:00  Mon",
      "",
    ].join("\n"),
  );
});

test("next: JSON has stable camelCase fields", async () => {
  const { app, out } = fakeApp();
  await scheduleNextCommand.run(args("30 2 * * *", { count: 2, format: "json", timezone: "Europe/Berlin", now: "2025-03-29T23:00:00Z" }), app);
  assert.deepEqual(JSON.parse(out()), {
    expression: "30 2 * * *",
    kind: "cron",
    timezone: "Europe/Berlin",
    now: "2025-03-30T00:00:00+01:00",
    last: null,
    runs: [
      { at: "2025-03-30T03:00:00+02:00", atUtc: "2025-03-30T01:00:00Z", dst: "gap-moved" },
      { at: "2025-03-31T02:30:00+02:00", atUtc: "2025-03-31T00:30:00Z", dst: null },
    ],
  });
});

test("next: a naive --now is wall time in --timezone; --last applies", async () => {
  const { app, out } = fakeApp();
  await scheduleNextCommand.run(args("@10", { count: 1, format: "json", timezone: "America/New_York", now: "2025-06-02T10:00", last: "2025-06-02T09:55" }), app);
  const j = JSON.parse(out());
  assert.equal(j.now, "2025-06-02T10:00:00-04:00");
  assert.equal(j.runs[0].at, "2025-06-02T10:05:00-04:00");
});

test("check: exit 0 when allowed, 1 with the reason when not", async () => {
  const a = fakeApp();
  assert.equal(await scheduleCheckCommand.run(args("*/15 * * * *", { now: "2025-06-02T10:15:00Z" }), a.app), 0);
  assert.match(a.out(), /\nallowed\n$/);
  const b = fakeApp();
  const code = await scheduleCheckCommand.run(args("09:00-18:00@1h mon-fri", { now: "2025-06-02T10:15", last: "2025-06-02T09:30", timezone: "UTC" }), b.app);
  assert.equal(code, 1);
  assert.match(b.out(), /not allowed: the last run is too soon; next run at 2025-06-02T10:30:00\+00:00/);
});

test("check: JSON", async () => {
  const { app, out } = fakeApp();
  await scheduleCheckCommand.run(args("* sat", { now: "2025-06-02T10:15:00Z", format: "json", timezone: "UTC" }), app);
  const j = JSON.parse(out());
  assert.equal(j.allowed, false);
  assert.match(j.reason, /^not in allowed days; next run at 2025-06-07T00:00:00\+00:00$/);
});

test("--now defaults to the injected clock", async () => {
  const { app, out } = fakeApp("2025-01-01T00:00:00Z", "UTC");
  await scheduleNextCommand.run(args("@1h", { count: 1, format: "json" }), app);
  assert.equal(JSON.parse(out()).runs[0].at, "2025-01-01T00:00:00+00:00");
});

// A bad --count is refused by the command line parser (test/e2e/exit-codes.test.ts).
test("bad input: expression exit 2, bad times are usage errors", async () => {
  const { app } = fakeApp();
  await assert.rejects(async () => scheduleNextCommand.run(args("09:00-25:00@10"), app), ScheduleSyntaxError);
  await assert.rejects(async () => scheduleNextCommand.run(args("@10", { now: "tomorrow" }), app), UsageError);
  await assert.rejects(async () => scheduleNextCommand.run(args("@10", { now: "2025-03-30T02:30" }), app), /does not exist in Europe\/Paris/);
});

test("help teaches both syntaxes", () => {
  const text = JSON.stringify(scheduleNextCommand.examples);
  assert.match(text, /mon-fri/);
  assert.match(text, /\* \* \*/);
});
