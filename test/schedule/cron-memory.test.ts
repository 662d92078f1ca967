import { test } from "node:test";
import assert from "node:assert/strict";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { parseSchedule } from "../../src/schedule/index.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

// The daemon keeps one compiled schedule per task: 10,000 cron tasks must fit in memory.
test("thousands of distinct cron schedules stay small, and still answer right", () => {
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = [];
  for (let i = 0; i < 2000; i++) kept.push(parseSchedule(`${i % 60} ${Math.floor(i / 60) % 24} * * ${i % 7}`, { timezone: "Europe/Paris", splayKey: `t${i}` }));
  gc();
  const perSchedule = (process.memoryUsage().heapUsed - before) / kept.length;
  assert.ok(perSchedule < 8 * 1024, `${Math.round(perSchedule)} bytes per cron schedule`);
  // kept[61] is "1 1 * * 5": Friday 01:01 in Paris (CEST since 30 March).
  assert.equal(kept[61]!.next(new Date("2025-03-29T12:00:00Z"))?.toISOString(), "2025-04-03T23:01:00.000Z");
});
