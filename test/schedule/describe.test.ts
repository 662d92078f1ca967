import { test } from "node:test";
import assert from "node:assert/strict";
import { describeSchedule } from "../../src/schedule/describe.js";

test("schedules in plain words: the common shapes of both syntaxes; anything else is null", () => {
  const cases: Array<[string, string | null]> = [
    ["0 2 * * *", "at 02:00 every day"],
    ["30 6 * * 1-5", "at 06:30 on weekdays"],
    ["*/15 * * * *", "every 15 minutes"],
    ["0 * * * *", "every hour, on the hour"],
    ["5 */4 * * *", "every 4 hours at minute 5"],
    ["0 3 * * 0,6", "at 03:00 every Sunday, Saturday"],
    ["0 3 1,15 * *", "at 03:00 on day 1, 15 of every month"],
    ["0 0 1 1 *", "at 00:00 on day 1 of January"],
    ["@daily", "at 00:00 every day"],
    ["@10m", "every 10 minutes"],
    ["@1h", "every hour"],
    ["@2d", "every 2 days"],
    ["02:00", "at 02:00 every day"],
    ["00:00-06:00", "once between 00:00 and 06:00 every day"],
    ["08:00-18:00@30", "every 30 minutes between 08:00 and 18:00 every day"],
    ["", null],
    ["0 0 L * *", null],
    ["10:00 sat:first,sun:last * 1", null],
  ];
  for (const [expr, words] of cases) assert.equal(describeSchedule(expr), words, expr);
});
