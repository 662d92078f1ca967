import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { dailyStats, statsSince } from "../../src/api/daily-stats.js";
import type { RunBucket } from "../../src/core/history-store.js";

const at = (iso: string) => Date.parse(iso);
const bucket = (svc: string, rid: string, start: string, runs: number, failures = 0, sum = runs * 1000, max: number | null = 1000): RunBucket =>
  ({ svc, rid, start: at(start), runs, failures, durationMsSum: sum, durationMsMax: max, timed: runs });

describe("per-day statistics from quarter-hour buckets", () => {
  test("days are the task's local days: a +05:45 zone splits at 18:15 UTC", () => {
    const now = at("2026-07-02T12:00:00Z");
    const [k] = dailyStats([bucket("db", "t", "2026-07-01T18:00:00Z", 2, 1, 3000, 2000), bucket("db", "t", "2026-07-01T18:15:00Z", 1, 0, 500, 500)], [{ svc: "db", rid: "t", timezone: "Asia/Kathmandu" }], "UTC", now, 2);
    assert.deepEqual(k, {
      svc: "db", rid: "t", timezone: "Asia/Kathmandu",
      days: [
        { date: "2026-07-01", count: 2, failures: 1, avgDurationMs: 1500, maxDurationMs: 2000 },
        { date: "2026-07-02", count: 1, failures: 0, avgDurationMs: 500, maxDurationMs: 500 },
      ],
    });
    const [utc] = dailyStats([bucket("db", "t", "2026-07-01T18:00:00Z", 2), bucket("db", "t", "2026-07-01T18:15:00Z", 1)], [{ svc: "db", rid: "t", timezone: "UTC" }], "UTC", now, 2);
    assert.deepEqual(utc!.days.map((d) => [d.date, d.count]), [["2026-07-01", 3], ["2026-07-02", 0]]);
  });

  test("a DST day: New York's 8 March 2026 ends at 04:00 UTC (23 hours long)", () => {
    const now = at("2026-03-09T12:00:00Z");
    const [k] = dailyStats([bucket("db", "t", "2026-03-08T04:45:00Z", 1), bucket("db", "t", "2026-03-09T03:45:00Z", 1), bucket("db", "t", "2026-03-09T04:00:00Z", 5)], [{ svc: "db", rid: "t", timezone: "America/New_York" }], "UTC", now, 3);
    assert.deepEqual(k!.days.map((d) => [d.date, d.count]), [["2026-03-07", 1], ["2026-03-08", 1], ["2026-03-09", 5]]);
  });

  test("every day present, oldest first, today last; older buckets and a start in the future left out; averages rounded to the ms", () => {
    const now = at("2026-07-10T10:00:00Z");
    const [k] = dailyStats([
      bucket("db", "t", "2026-07-01T00:00:00Z", 9), // before the 3 days
      bucket("db", "t", "2026-07-08T00:00:00Z", 3, 0, 1000, 900),
      bucket("db", "t", "2026-07-11T00:00:00Z", 4), // the clock was set back since
    ], [{ svc: "db", rid: "t", timezone: "UTC" }], "UTC", now, 3);
    assert.deepEqual(k!.days, [
      { date: "2026-07-08", count: 3, failures: 0, avgDurationMs: 333, maxDurationMs: 900 },
      { date: "2026-07-09", count: 0, failures: 0, avgDurationMs: null, maxDurationMs: null },
      { date: "2026-07-10", count: 0, failures: 0, avgDurationMs: null, maxDurationMs: null },
    ]);
    assert.ok(statsSince(now, 3) <= at("2026-07-08T00:00:00+14:00"), "the query reaches the first day's start in any zone");
  });

  test("configured tasks without runs are listed; a task no longer configured is listed in the fallback zone; sorted by service and rid", () => {
    const now = at("2026-07-02T12:00:00Z");
    const items = dailyStats([bucket("gone", "task#0", "2026-07-02T01:00:00Z", 1), bucket("a", "task#1", "2026-07-02T01:00:00Z", 2)], [{ svc: "b", rid: "task#0", timezone: "Europe/Paris" }, { svc: "a", rid: "task#1", timezone: "UTC" }], "Europe/Paris", now, 1);
    assert.deepEqual(items.map((i) => [i.svc, i.rid, i.timezone, i.days[0]!.count]), [["a", "task#1", "UTC", 2], ["b", "task#0", "Europe/Paris", 0], ["gone", "task#0", "Europe/Paris", 1]]);
  });

});
