import { test } from "node:test";
import assert from "node:assert/strict";
import { lintSchedule, ScheduleSyntaxError } from "../../src/schedule/index.js";

const FROM = new Date("2025-01-01T00:00:00Z");

test("fri:last is flagged with its AND meaning and the cron alternative", () => {
  const [w, ...rest] = lintSchedule("00:00-02:00@121 fri:last", "UTC", FROM);
  assert.equal(rest.length, 0);
  assert.equal(
    w!.message,
    `"fri:last" means "a Friday that is also the last day of the month" (weekday AND day of month), not "the last Friday of the month"; for the last Friday, use the cron schedule "0 0 * * 5L"`,
  );
});

test("wed:2nd points to the n-th weekday form", () => {
  assert.match(lintSchedule("09:30 wed:2nd", "UTC", FROM)[0]!.message, /use the cron schedule "30 9 \* \* 3#2"/);
});

test("plain days of month and weekdays are not traps", () => {
  assert.deepEqual(lintSchedule("09:00 *:15", "UTC", FROM), []);
  assert.deepEqual(lintSchedule("09:00 mon-fri", "UTC", FROM), []);
  assert.deepEqual(lintSchedule("09:00 mon:15", "UTC", FROM), []);
});

test("a fixed cron time in the spring gap and the repeated hour (Paris)", () => {
  const msgs = lintSchedule("30 2 * * *", "Europe/Paris", FROM).map((w) => w.message);
  assert.equal(msgs.length, 2);
  assert.match(msgs[0]!, /02:30 does not exist on 2025-03-30 \(clocks jump from 02:00 to 03:00\); that run happens at 03:00 instead/);
  assert.match(msgs[1]!, /02:30 happens twice on 2025-10-26 .* it runs once, on the first pass/);
});

test("an OpenSVC window starting in the gap (New York), only on matching days", () => {
  assert.match(lintSchedule("02:30-03:00", "America/New_York", FROM)[0]!.message, /02:30 does not exist on 2025-03-09/);
  assert.deepEqual(lintSchedule("02:30-03:00 mon-sat", "America/New_York", FROM), []);
});

test("wildcard schedules and zones without DST give no DST warning", () => {
  assert.deepEqual(lintSchedule("*/5 * * * *", "Europe/Paris", FROM), []);
  assert.deepEqual(lintSchedule("@10", "Europe/Paris", FROM), []);
  assert.deepEqual(lintSchedule("30 2 * * *", "Asia/Kolkata", FROM), []);
});

test("an invalid expression throws like parseSchedule", () => {
  assert.throws(() => lintSchedule("25:00", "UTC"), ScheduleSyntaxError);
});
