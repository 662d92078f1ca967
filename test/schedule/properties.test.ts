// Properties over generated expressions (both syntaxes) and instants.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parseSchedule, ScheduleSyntaxError } from "../../src/schedule/index.js";
import { DAY, HOUR } from "./helpers.js";

const ZONES = ["UTC", "Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Australia/Sydney", "Asia/Kolkata"];

const pad = (n: number) => String(n).padStart(2, "0");
const time = fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${pad(h)}:${pad(m)}`);
const interval = fc.constantFrom("", "@10", "@1h", "@90s", "@2h", "@1d", "@1.5h");
const range = fc.oneof(
  fc.tuple(fc.constantFrom("", "~"), time, time, interval).map(([p, a, b, i]) => `${p}${a}-${b}${i}`),
  fc.tuple(fc.constantFrom("*", ""), fc.constantFrom("@15", "@1h", "@7m")).map(([a, i]) => `${a}${i}`),
  fc.constant("*"),
);
const days = fc.constantFrom("*", "mon-fri", "sat,sun", "fri:last", "*:1", ":-2", "sun-tue", "wed:2nd");
const months = fc.constantFrom("*", "jan-jun", "%2", "%3+1", "nov-feb");
const opensvc = fc.oneof(
  range,
  fc.tuple(range, days).map(([r, d]) => `${r} ${d}`),
  fc.tuple(range, days, fc.constantFrom("*", "1-26", "50-2"), months).map((f) => f.join(" ")),
  fc.tuple(range, range).map(([a, b]) => JSON.stringify([a, `! ${b}`])),
);
const cronField = (max: number) => fc.oneof(fc.constant("*"), fc.integer({ min: 0, max }).map(String), fc.integer({ min: 1, max: 6 }).map((s) => `*/${s}`), fc.tuple(fc.integer({ min: 0, max }), fc.integer({ min: 0, max })).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`));
const cron = fc.oneof(
  fc.tuple(cronField(59), cronField(23), fc.constantFrom("*", "1", "15", "L", "1-7"), fc.constantFrom("*", "3", "1-6"), fc.constantFrom("*", "1-5", "0", "7", "5L", "1#2")).map((f) => f.join(" ")),
  fc.constantFrom("@daily", "@hourly", "@weekly", "@monthly", "0 0 12 * * 1-5", "0 30 9 * * * 2030"),
);
const expression = fc.oneof(opensvc, cron);
const instant = fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2030, 0, 1) }).map((t) => new Date(t));
const zone = fc.constantFrom(...ZONES);

test("next(now) >= now, check(next) allows, nextRuns strictly increasing", () => {
  fc.assert(
    fc.property(expression, instant, zone, fc.boolean(), (expr, now, timezone, withLast) => {
      const s = parseSchedule(expr, { timezone, splayKey: "p" });
      const last = withLast ? new Date(now.getTime() - 3 * HOUR) : null;
      const next = s.next(now, last);
      if (next === null) return;
      assert.ok(next >= now, `${next.toISOString()} < ${now.toISOString()}`);
      assert.equal(s.check(next, last).allowed, true, `${expr} ${timezone} ${next.toISOString()}: ${s.check(next, last).reason}`);
      const runs = s.nextRuns(now, 6, last);
      for (let i = 1; i < runs.length; i++) assert.ok(runs[i]! > runs[i - 1]!, `${expr}: ${runs.map((r) => r.toISOString())}`);
    }),
    { numRuns: 400 },
  );
});

test("parsing never throws anything but ScheduleSyntaxError", () => {
  const noise = fc.string({ maxLength: 30 });
  const mutated = fc.tuple(expression, noise, fc.nat()).map(([e, n, i]) => e.slice(0, i % (e.length + 1)) + n);
  fc.assert(
    fc.property(fc.oneof(noise, mutated, expression), (expr) => {
      try {
        parseSchedule(expr, { timezone: "UTC" }).next(new Date(Date.UTC(2025, 0, 1)));
      } catch (e) {
        assert.ok(e instanceof ScheduleSyntaxError, `${JSON.stringify(expr)}: ${String(e)}`);
      }
    }),
    { numRuns: 1500 },
  );
});

for (const timezone of ["Europe/Paris", "America/New_York", "Australia/Lord_Howe"]) {
  test(`a year of a fixed daily time in ${timezone}: one run per day, no repeated wall time`, () => {
    fc.assert(
      fc.property(time, fc.boolean(), fc.integer({ min: 2024, max: 2027 }), (hm, asCron, year) => {
        const [h, m] = hm.split(":").map(Number) as [number, number];
        const s = parseSchedule(asCron ? `${m} ${h} * * *` : hm, { timezone });
        const start = new Date(Date.UTC(year, 0, 1, 12));
        const runs = s.nextRuns(start, 365, null);
        assert.equal(runs.length, 365);
        const walls = runs.map((r) => localDate(r, timezone));
        assert.equal(new Set(walls.map((w) => w.stamp)).size, 365, "a wall time repeats");
        const dayNumbers = walls.map((w) => w.day);
        for (let i = 1; i < dayNumbers.length; i++) assert.equal(dayNumbers[i]! - dayNumbers[i - 1]!, 1, `day skipped near ${runs[i]!.toISOString()}`);
      }),
      { numRuns: 12 },
    );
  });
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function localDate(d: Date, timezone: string): { stamp: string; day: number } {
  let f = formatters.get(timezone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-CA", { timeZone: timezone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
    formatters.set(timezone, f);
  }
  const stamp = f.format(d);
  const [y, mo, da] = stamp.slice(0, 10).split("-").map(Number) as [number, number, number];
  return { stamp, day: Date.UTC(y, mo - 1, da) / DAY };
}

