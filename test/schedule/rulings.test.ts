// design §6 rulings and cron semantics, one row each (spec §4, design §6).
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseSchedule, ScheduleSyntaxError } from "../../src/schedule/index.js";

const UTC = { timezone: "UTC" };
function next(expr: string, now: string, last: string | null = null): string | null {
  const d = parseSchedule(expr, UTC).next(new Date(now), last === null ? null : new Date(last));
  return d === null ? null : d.toISOString().replace(".000Z", "Z");
}
function runs(expr: string, now: string, n: number): string[] {
  return parseSchedule(expr, UTC).nextRuns(new Date(now), n).map((d) => d.toISOString().replace(".000Z", "Z"));
}

test("cron: Vixie OR when both day fields are restricted", () => {
  assert.deepEqual(runs("0 0 13 * 5", "2025-06-01T00:00:00Z", 3), ["2025-06-06T00:00:00Z", "2025-06-13T00:00:00Z", "2025-06-20T00:00:00Z"]);
});
test("cron: 0 and 7 are Sunday", () => {
  assert.equal(next("0 0 * * 7", "2025-06-02T00:00:00Z"), "2025-06-08T00:00:00Z");
  assert.equal(next("0 0 * * 0", "2025-06-02T00:00:00Z"), "2025-06-08T00:00:00Z");
});
test("cron: L, W, #", () => {
  assert.equal(next("0 0 * * 5L", "2025-06-01T00:00:00Z"), "2025-06-27T00:00:00Z");
  assert.equal(next("0 0 L * *", "2025-02-01T00:00:00Z"), "2025-02-28T00:00:00Z");
  assert.equal(next("0 0 15W * *", "2025-06-01T00:00:00Z"), "2025-06-16T00:00:00Z");
  assert.equal(next("0 0 * * 3#2", "2025-06-01T00:00:00Z"), "2025-06-11T00:00:00Z");
});
test("cron: 6 fields = seconds first, 7 = years last, macros", () => {
  assert.equal(next("30 15 10 * * *", "2025-06-01T00:00:00Z"), "2025-06-01T10:15:30Z");
  assert.equal(next("0 0 0 1 1 * 2030", "2025-06-01T00:00:00Z"), "2030-01-01T00:00:00Z");
  assert.equal(next("@weekly", "2025-06-02T00:00:00Z"), "2025-06-08T00:00:00Z");
  assert.equal(next("@hourly", "2025-06-02T00:00:01Z"), "2025-06-02T01:00:00Z");
});
test("cron: next(now) includes now; `last` excludes what already ran", () => {
  assert.equal(next("0 * * * *", "2025-06-02T10:00:00Z"), "2025-06-02T10:00:00Z");
  assert.equal(next("0 * * * *", "2025-06-02T10:00:00Z", "2025-06-02T10:00:00Z"), "2025-06-02T11:00:00Z");
  assert.equal(next("0 * * * *", "2025-06-02T10:00:00.500Z"), "2025-06-02T11:00:00Z");
});
test("cron: a pattern that never matches gives null", () => {
  assert.equal(next("0 0 30 2 *", "2025-06-02T00:00:00Z"), null);
  assert.equal(parseSchedule("0 0 30 2 *", { timezone: "Europe/Paris" }).next(new Date("2025-06-02T00:00:00Z")), null);
});

test("OpenSVC: dow:dom is weekday AND day of month", () => {
  assert.equal(next("* fri:last", "2024-03-02T00:00:00Z"), "2024-05-31T00:00:00Z");
  assert.equal(next("* wed:2nd", "2024-03-02T00:00:00Z"), "2024-10-02T00:00:00Z");
});
test("OpenSVC: decimals, y and bare minutes", () => {
  assert.equal(next("@1.5h", "2025-06-02T10:00:00Z", "2025-06-02T10:00:00Z"), "2025-06-02T11:30:00Z");
  assert.equal(next("@1y", "2025-06-02T10:00:00Z", "2025-06-02T10:00:00Z"), "2026-06-02T10:00:00Z");
  assert.equal(next("@3", "2025-06-02T10:00:00Z", "2025-06-02T10:00:00Z"), "2025-06-02T10:03:00Z");
});
test("OpenSVC: invalid anywhere is invalid everywhere", () => {
  for (const e of ["@", "*@0", "@1x", "!", "* :0", "* * * %0", "* *:%2+1", "00:00-02:00@121 mon %2", '["@10", "freday"]', "24:00", "9:60"]) {
    assert.throws(() => parseSchedule(e, UTC), ScheduleSyntaxError, e);
  }
});
test("OpenSVC: months split on ',' first; weeks 1..53 wrap", () => {
  assert.equal(next("* * * %2+1,feb-apr", "2025-05-02T10:00:00Z"), "2025-05-02T10:00:00Z");
  assert.equal(next("* * * %2+1,feb-apr", "2025-06-02T10:00:00Z"), "2025-07-01T00:00:00Z");
  assert.equal(next("* * 52-2", "2020-12-31T10:00:00Z"), "2020-12-31T10:00:00Z"); // ISO week 53 of 2020
});
test("OpenSVC: once per range; ranges tried by begin time; later days start at 00:00", () => {
  assert.deepEqual(runs("09:00-09:20", "2025-06-02T08:00:00Z", 2), ["2025-06-02T09:00:00Z", "2025-06-03T09:00:00Z"]);
  assert.equal(next("18:00-19:00@10,12:00-13:00@10", "2025-06-02T05:00:00Z"), "2025-06-02T12:00:00Z");
  assert.equal(next("* * * %2", "2022-05-23T09:06:00Z", "2022-05-20T09:05:00Z"), "2022-06-01T00:00:00Z");
});
test("OpenSVC: bare * reaches 23:59:59", () => {
  assert.equal(parseSchedule("*", UTC).check(new Date("2025-06-02T23:59:30Z")).allowed, true);
});
test("OpenSVC: exclusions apply whatever their position; a fully excluded rest of day moves on", () => {
  assert.equal(next('["! 10:00-12:00", "@30m"]', "2025-06-02T10:30:00Z"), "2025-06-02T12:00:00Z");
  assert.equal(parseSchedule('["@30m", "! 10:00-12:00"]', UTC).check(new Date("2025-06-02T10:30:00Z")).allowed, false);
  assert.equal(next('["@60", "! 20:00-23:59:59"]', "2025-06-02T21:00:00Z"), "2025-06-03T00:00:00Z");
  assert.equal(next('["@60", "! 20:00-23:59"]', "2025-06-02T21:00:00Z"), "2025-06-03T00:00:00Z");
  assert.equal(next('["@60", "!*"]', "2025-06-02T21:00:00Z"), null);
});
test("OpenSVC: catch-up — inside a range and past last + interval, next is now", () => {
  assert.equal(next("@1h", "2025-06-02T10:17:00Z", "2025-06-02T06:00:00Z"), "2025-06-02T10:17:00Z");
  assert.equal(next("09:00-18:00@1h", "2025-06-02T10:17:00Z", "2025-06-02T10:00:00Z"), "2025-06-02T11:00:00Z");
});
test("OpenSVC: JSON string and no-schedule forms", () => {
  assert.equal(parseSchedule('"@10"', UTC).kind, "opensvc");
  for (const e of ["@0", "", "[]"]) assert.equal(parseSchedule(e, UTC).next(new Date(0)), null);
});
