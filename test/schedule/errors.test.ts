// User-facing parse errors, pinned: they say where, what and what is allowed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { parseSchedule, ScheduleSyntaxError } from "../../src/schedule/index.js";

const cases: [string, string][] = [
  ["09:00-25:00@10", `invalid schedule "09:00-25:00@10": time "25:00" out of range (hours 0-23)`],
  ["09:60", `invalid schedule "09:60": time "09:60" out of range (minutes 0-59)`],
  ["@", `invalid schedule "@": empty interval after "@" (write e.g. @10 for 10 minutes, @1h, @30s)`],
  ["*@0", `invalid schedule "*@0": interval "0" is zero (use @0 alone for "no schedule")`],
  ["@1x", `invalid schedule "@1x": unknown unit "x" in interval "1x" (units: ms s m h d w y)`],
  ["!", `invalid schedule "!": "!" alone excludes nothing`],
  ["* :0", `invalid schedule "* :0": day of month 0 in ":0" out of range (1..31, -1..-31)`],
  ["* *:%2+1", `invalid schedule "* *:%2+1": day of month "%2+1" in "*:%2+1" is not supported (1..31, -1..-31, first..fifth, last)`],
  ["* * %2", `invalid schedule "* * %2": modulo is not supported on weeks ("%2")`],
  ["* * * %0", `invalid schedule "* * * %0": modulo "%0" cannot be 0 in months "%0"`],
  ["00:00-02:00@121 mon %2", `invalid schedule "00:00-02:00@121 mon %2": modulo is not supported on weeks ("%2")`],
  ["* freday", `invalid schedule "* freday": unknown weekday "freday" (expected 1-7 or mon..sun) in days "freday"`],
  [`["@10", "25:00"]`, `invalid schedule "[\\"@10\\", \\"25:00\\"]": time "25:00" out of range (hours 0-23) (in element "25:00")`],
  ["* * -1", `invalid schedule "* * -1": "-1" is negative (expected 1-53) in weeks "-1"`],
  ["* * * -1", `invalid schedule "* * * -1": "-1" is negative (expected 1-12 or jan..dec) in months "-1"`],
  ["02:00-04:00,", `invalid schedule "02:00-04:00,": stray comma (an empty item; remove the comma) in time ranges "02:00-04:00,"`],
  [",*", `invalid schedule ",*": stray comma (an empty item; remove the comma) in time ranges ",*"`],
  ["* mon,,tue", `invalid schedule "* mon,,tue": stray comma (an empty item; remove the comma) in days "mon,,tue"`],
  ["* * 1,", `invalid schedule "* * 1,": stray comma (an empty item; remove the comma) in weeks "1,"`],
  ["* * * jan,", `invalid schedule "* * * jan,": stray comma (an empty item; remove the comma) in months "jan,"`],
  ["* jan", `invalid schedule "* jan": "jan" is a month, not a weekday (expected 1-7 or mon..sun) in days "jan"`],
  ["* * mon", `invalid schedule "* * mon": "mon" is a weekday, not an ISO week (expected 1-53) in weeks "mon"`],
  ["* * * mon", `invalid schedule "* * * mon": "mon" is a weekday, not a month (expected 1-12 or jan..dec) in months "mon"`],
  ["* * * %-2", `invalid schedule "* * * %-2": modulo "%-2" is negative in months "%-2"`],
  ["* * * %2+-1", `invalid schedule "* * * %2+-1": modulo shift in "%2+-1" is negative in months "%2+-1"`],
  ["61 * * * *", `invalid schedule "61 * * * *": not a valid cron expression: Invalid value for minute: 61`],
];

for (const [expr, message] of cases) {
  test(`error for ${JSON.stringify(expr)}`, () => {
    assert.throws(() => parseSchedule(expr, { timezone: "UTC" }), (e: unknown) => {
      assert.ok(e instanceof ScheduleSyntaxError);
      assert.equal(e.message, message);
      assert.equal(e.exitCode, 2);
      return true;
    });
  });
}

test("an unknown time zone is a schedule error", () => {
  assert.throws(() => parseSchedule("@10", { timezone: "Mars/Olympus" }), /unknown time zone "Mars\/Olympus"/);
});

test("no schedule: @0, empty, [] and JSON strings", () => {
  for (const e of ["@0", "", "  ", "[]", '""', '"@0"']) {
    const s = parseSchedule(e, { timezone: "UTC" });
    assert.equal(s.kind, "none", e);
    assert.equal(s.next(new Date(0)), null);
    assert.deepEqual(s.check(new Date(0)), { allowed: false, reason: "no schedule" });
  }
  assert.equal(parseSchedule('"@10"', { timezone: "UTC" }).kind, "opensvc");
});

test("syntax detection: cron by field count or macro, OpenSVC otherwise", () => {
  assert.equal(parseSchedule("0 0 * * *", { timezone: "UTC" }).kind, "cron");
  assert.equal(parseSchedule("@daily", { timezone: "UTC" }).kind, "cron");
  assert.equal(parseSchedule("0 0 0 * * * 2030", { timezone: "UTC" }).kind, "cron");
  assert.equal(parseSchedule("@10", { timezone: "UTC" }).kind, "opensvc");
  assert.equal(parseSchedule("* * * %2+1,feb-apr", { timezone: "UTC" }).kind, "opensvc");
});

test("the doc example *:1,-1 is refused with the fix", () => {
  assert.throws(() => parseSchedule("06:00-07:00@1h *:1,-1", { timezone: "UTC" }), {
    message: `invalid schedule "06:00-07:00@1h *:1,-1": "-1" in "*:1,-1" is not a weekday; each day item is "<weekdays>[:<day of month>]", so write "*:-1"`,
  });
});
