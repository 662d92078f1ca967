// design §6 "More rulings": no horizon, a future last run, `!` and `~` forms, ties with `~` windows.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseSchedule } from "../../src/schedule/index.js";
import { DAY, HOUR } from "./helpers.js";

const ZONES = ["UTC", "Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"];

function next(expr: string, now: string, last: string | null = null, timezone = "UTC"): string | null {
  const d = parseSchedule(expr, { timezone, splayKey: "k" }).next(new Date(now), last === null ? null : new Date(last));
  return d === null ? null : d.toISOString().replace(".000Z", "Z");
}

test("a long interval runs again at its slot plus the interval, however far (both syntaxes of interval, every zone)", () => {
  for (const timezone of ZONES) {
    assert.equal(next("@800d", "2026-12-01T00:00:01Z", "2026-12-01T00:00:00Z", timezone), "2029-02-08T00:00:00Z", timezone);
    assert.equal(next("@60w", "2026-12-01T00:00:01Z", "2026-12-01T00:00:00Z", timezone), "2028-01-25T00:00:00Z", timezone);
    assert.equal(next("@5y", "2026-12-01T00:00:01Z", "2026-12-01T00:00:00Z", timezone), "2031-11-30T00:00:00Z", timezone);
  }
  // `*@500d` counts on the wall clock (a once-a-day window): 500 local days later, at local midnight.
  assert.equal(next("*@500d", "2026-12-01T00:00:01Z", "2026-12-01T00:00:00Z", "UTC"), "2028-04-14T00:00:00Z");
  assert.equal(next("*@500d", "2026-11-30T23:00:01Z", "2026-11-30T23:00:00Z", "Europe/Paris"), "2028-04-13T22:00:00Z");
});

test("a rare calendar match is found years ahead", () => {
  assert.equal(next("* *:29 * feb", "2028-03-01T00:00:00Z"), "2032-02-29T00:00:00Z");
  assert.equal(next("* mon:29 * feb", "2028-03-01T00:00:00Z"), "2044-02-29T00:00:00Z");
  assert.equal(next("* mon:29 * feb", "2028-03-01T00:00:00Z", null, "Europe/Paris"), "2044-02-28T23:00:00Z");
  assert.equal(next("10:00 sat:first,sun:last * 1", "2025-06-02T00:00:00Z"), "2027-01-31T10:00:00Z");
  assert.equal(next("* * 53", "2021-01-04T00:00:00Z"), "2026-12-28T00:00:00Z");
  assert.equal(next("0 0 29 2 *", "2028-03-01T00:00:00Z", null, "America/New_York"), "2032-02-29T05:00:00Z");
  assert.equal(next("0 0 * 2 5#5", "2028-03-01T00:00:00Z"), "2036-02-29T00:00:00Z");
});

test("null only when nothing can ever match, answered at once", () => {
  const never = ["* *:31 * feb", "* *:30 * feb", "0 0 30 2 *", "0 0 31 4 *", '["* * * feb", "! * * * feb"]', "* fri:13 1 jan", '["@60", "!*"]', "10:00 mon:-30 * feb"];
  for (const timezone of ZONES) {
    for (const expr of never) {
      const t0 = performance.now();
      assert.equal(next(expr, "2028-03-01T00:00:00Z", null, timezone), null, `${expr} ${timezone}`);
      assert.ok(performance.now() - t0 < 500, `${expr} ${timezone} took ${performance.now() - t0} ms`);
    }
  }
});

test("a far year is answered too (cron past croner's year 3000, OpenSVC anywhere)", () => {
  assert.equal(next("0 0 29 2 *", "3001-03-01T00:00:00Z"), "3004-02-29T00:00:00Z");
  assert.equal(next("0 0 30 2 *", "3001-03-01T00:00:00Z"), null);
  assert.equal(next("* *:29 * feb", "3001-03-01T00:00:00Z"), "3004-02-29T00:00:00Z");
});

test("a last run more than 3 hours after now counts as now; within 3 hours it stands", () => {
  for (const timezone of ZONES) {
    const now = "2026-12-02T00:00:00Z";
    assert.equal(next("*", now, "2030-12-01T00:00:00Z", timezone) !== null, true, timezone);
    assert.equal(next("@30m", now, "2029-12-01T00:00:00Z", timezone), "2026-12-02T00:30:00Z", timezone);
    assert.equal(next("*/5 * * * *", now, "2029-12-01T00:00:00Z", timezone), "2026-12-02T00:05:00Z", timezone);
    // 2 h ahead: it stands, the interval counts from it.
    assert.equal(next("@30m", now, "2026-12-02T02:00:00Z", timezone), "2026-12-02T02:30:00Z", timezone);
    assert.equal(next("*/5 * * * *", now, "2026-12-02T02:00:00Z", timezone), "2026-12-02T02:05:00Z", timezone);
  }
  // A fixed daily time run 2 h "ahead" (a small backward step) does not run twice.
  assert.equal(next("10:00", "2026-12-02T09:00:00Z", "2026-12-02T10:00:00Z"), "2026-12-03T10:00:00Z");
  assert.equal(next("0 10 * * *", "2026-12-02T09:00:00Z", "2026-12-02T10:00:00Z"), "2026-12-03T10:00:00Z");
  // check() and nextRuns() follow the same rule.
  const s = parseSchedule("@30m", { timezone: "UTC" });
  assert.equal(s.check(new Date("2026-12-02T00:00:00Z"), new Date("2029-01-01T00:00:00Z")).allowed, false);
  assert.match(s.check(new Date("2026-12-02T00:00:00Z"), new Date("2029-01-01T00:00:00Z")).reason ?? "", /next run at 2026-12-02T00:30:00\+00:00/);
  assert.deepEqual(s.nextRuns(new Date("2026-12-02T00:00:00Z"), 2, new Date("2029-01-01T00:00:00Z")).map((d) => d.getTime() - Date.parse("2026-12-02T00:00:00Z")), [HOUR / 2, HOUR]);
});

test("a leading ! is an OpenSVC exclusion, never cron; alone it never runs", () => {
  const s = parseSchedule("! * * * %2", { timezone: "UTC" });
  assert.equal(s.kind, "opensvc");
  assert.equal(s.next(new Date("2025-06-02T00:00:00Z")), null);
  assert.equal(next('["@1h", "! * * * %2"]', "2025-02-10T10:00:00Z"), "2025-03-01T00:00:00Z");
  assert.equal(next('["@1h", "! * * * %2"]', "2025-03-10T10:00:00Z"), "2025-03-10T10:00:00Z");
});

test("~ alone is ~*: once a day at a splayed time", () => {
  const a = parseSchedule("~", { timezone: "UTC", splayKey: "k" }).nextRuns(new Date("2025-06-02T00:00:00Z"), 3);
  const b = parseSchedule("~*", { timezone: "UTC", splayKey: "k" }).nextRuns(new Date("2025-06-02T00:00:00Z"), 3);
  assert.deepEqual(a, b);
  for (let i = 1; i < a.length; i++) assert.ok(a[i]!.getTime() - a[i - 1]!.getTime() >= DAY - DAY / 2);
});

test("a ~ window never postpones nor hides a run another range allows", () => {
  // The splayed time of `~*` on that day, for this key, is later than 06:38.
  const splayed = next("~*", "2025-06-02T02:24:00Z");
  assert.ok(splayed !== null && splayed > "2025-06-02T06:38:00Z", String(splayed));
  assert.equal(next("06:38,~* *", "2025-06-02T02:24:00Z"), "2025-06-02T06:38:00Z");
  assert.equal(next('["18:00-12:00@3d", "~*,12:00-23:53 *"]', "2025-06-02T17:59:00Z"), "2025-06-02T17:59:00Z");
});
