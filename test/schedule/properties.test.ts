// Properties over generated expressions (both syntaxes) and instants.
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { Cron } from "croner";
import { parseSchedule, ScheduleSyntaxError } from "../../src/schedule/index.js";
import { looksLikeCron } from "../../src/schedule/cron.js";
import { CYCLE_DAYS } from "../../src/schedule/cycle.js";
import type { Program } from "../../src/schedule/ast.js";
import { parseOpensvc } from "../../src/schedule/grammar.js";
import { refusalReason } from "../../src/schedule/opensvc-check.js";
import { dayMatches } from "../../src/schedule/opensvc-match.js";
import { DAY, HOUR, MINUTE } from "./helpers.js";

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


// No horizon (design §6): long intervals, rare calendar matches, exclusion-only values and a
// last run in the future. Checked against oracles that do not search: OpenSVC's refusal rule
// (opensvc-check.ts) and croner's own match(), in UTC where an instant is its wall time.
const longInterval = fc.constantFrom("@400d", "@1y", "@60w", "@800d", "*@500d", "@2y", "@1.5y");
const weekday = fc.constantFrom("mon", "tue", "wed", "thu", "fri", "sat", "sun", "*");
const monthday = fc.constantFrom("1", "13", "29", "30", "31", "last", "-2", "-30", "first", "fifth");
const rareDays = fc.tuple(weekday, monthday).map(([w, d]) => `${w}:${d}`);
const rareWeeks = fc.constantFrom("*", "53", "1", "52-1", "2");
const rareMonths = fc.constantFrom("*", "feb", "dec", "jan", "apr,jun", "%6");
const plainRange = fc.oneof(
  fc.tuple(time, time, fc.constantFrom("", "@10", "@1h", "@1d")).map(([a, b, i]) => `${a}-${b}${i}`),
  time,
  fc.constant("*"),
);
const rare = fc.tuple(plainRange, rareDays, rareWeeks, rareMonths).map((f) => f.join(" "));
const exclusion = fc.tuple(plainRange, fc.constantFrom("*", "sat,sun", "*:29", "mon-fri"), fc.constantFrom("*", "feb", "%2")).map(([r, d, m]) => `! ${r} ${d} * ${m}`);
const noSplayOpensvc = fc.oneof(
  longInterval,
  rare,
  exclusion,
  fc.tuple(fc.oneof(rare, longInterval), exclusion).map(([a, b]) => JSON.stringify([a, b])),
  fc.tuple(rare, rare).map(([a, b]) => JSON.stringify([a, b])),
);
const rareCron = fc.tuple(
  fc.constantFrom("0", "30", "*/20"),
  fc.constantFrom("0", "12", "*/6"),
  fc.constantFrom("*", "29", "30", "31", "L", "15W", "1"),
  fc.constantFrom("*", "2", "4", "2,4", "12"),
  fc.constantFrom("*", "1", "5#5", "+1", "5L", "0"),
).map((f) => f.join(" ")).filter((e) => !e.includes(" * +1"));
const utcInstant = fc.integer({ min: Date.UTC(2020, 0, 1) / 1000, max: Date.UTC(2030, 0, 1) / 1000 }).map((s) => s * 1000);
const lastOffset = fc.oneof(
  fc.constant(null),
  fc.integer({ min: -2 * 365 * 86_400, max: 0 }).map((s) => s * 1000),
  fc.integer({ min: 0, max: 5 * 365 * 86_400 }).map((s) => s * 1000),
  fc.integer({ min: 0, max: 4 * 3600 }).map((s) => s * 1000),
);

/** Is `t` a run time, given `last` (as the engine uses it at `now`)? Oracle, no search. */
function allowedAt(expr: string, t: number, last: number | null): boolean {
  if (looksLikeCron(expr)) {
    if (t % 1000 !== 0 || (last !== null && t <= last)) return false;
    return croner(expr).match(new Date(t));
  }
  return refusalReason({ program: program(expr), wall: t, now: t, last, lastWall: last ?? 0 }) === null;
}

const programs = new Map<string, Program>();
function program(expr: string): Program {
  let p = programs.get(expr);
  if (p === undefined) {
    p = parseOpensvc(expr);
    programs.set(expr, p);
  }
  return p;
}

const croners = new Map<string, Cron>();
function croner(expr: string): Cron {
  let c = croners.get(expr);
  if (c === undefined) {
    c = new Cron(expr, { utcOffset: 0, domAndDow: false, mode: "auto" });
    croners.set(expr, c);
  }
  return c;
}

/** Instants in [now, end) where a run could start: a coarse grid, every midnight and range start near both ends, last + interval. */
function candidates(expr: string, now: number, end: number, last: number | null): number[] {
  const out: number[] = [];
  const span = end - now;
  for (let i = 0; i < 200; i++) out.push(now + Math.floor((span * i) / 400 / 1000) * 1000);
  const starts = looksLikeCron(expr) ? [0, 30 * MINUTE, 12 * HOUR] : program(expr).includes.flatMap((el) => el.ranges.flatMap((r) => [r.begin, r.end]));
  const firstDay = Math.floor(now / DAY);
  const lastDay = Math.floor(end / DAY);
  const days = lastDay - firstDay <= 200 ? between(firstDay, lastDay) : [...between(firstDay, firstDay + 100), ...between(lastDay - 100, lastDay)];
  for (const d of days) for (const s of [0, ...starts]) out.push(d * DAY + s);
  if (last !== null && !looksLikeCron(expr)) for (const el of program(expr).includes) for (const r of el.ranges) out.push(last + r.interval);
  out.push(end - 1000, end - 1);
  return out.filter((t) => t >= now && t < end);
}

function between(a: number, b: number): number[] {
  return Array.from({ length: Math.max(0, b - a + 1) }, (_, i) => a + i);
}

test("next is the first allowed instant however far: none between now and it, and it is allowed", () => {
  fc.assert(
    fc.property(fc.oneof(noSplayOpensvc, rareCron), utcInstant, lastOffset, (expr, now, offset) => {
      const s = parseSchedule(expr, { timezone: "UTC" });
      const last = offset === null ? null : now + offset;
      const n = s.next(new Date(now), last === null ? null : new Date(last));
      if (n === null) return;
      const lastEff = last !== null && last > now + 3 * HOUR ? now : last;
      assert.ok(allowedAt(expr, n.getTime(), lastEff), `${expr} now=${new Date(now).toISOString()} last=${last}: next ${n.toISOString()} is not allowed`);
      for (const t of candidates(expr, now, n.getTime(), lastEff)) {
        assert.ok(!allowedAt(expr, t, lastEff), `${expr} now=${new Date(now).toISOString()} last=${last === null ? null : new Date(last).toISOString()}: ${new Date(t).toISOString()} is allowed, before next ${n.toISOString()}`);
      }
    }),
    { numRuns: 1000 },
  );
});

test("a null next means no day of a whole 400-year cycle allows a run", () => {
  const start = Math.floor(Date.UTC(2025, 0, 1) / DAY);
  const nulls = new Set<string>();
  fc.assert(
    fc.property(fc.oneof(noSplayOpensvc, rareCron), utcInstant, (expr, now) => {
      if (parseSchedule(expr, { timezone: "UTC" }).next(new Date(now)) !== null || nulls.has(expr)) return;
      nulls.add(expr);
      if (looksLikeCron(expr)) return assertCronNeverMatches(expr, start);
      const p = program(expr);
      for (let day = start; day < start + CYCLE_DAYS; day++) {
        for (const el of p.includes) {
          if (!dayMatches(el, day)) continue;
          const times = [...el.ranges.flatMap((r) => [r.begin, r.end, 0]), ...p.excludes.flatMap((x) => x.ranges.map((r) => r.end))];
          for (const tod of times) {
            const wall = day * DAY + tod;
            assert.ok(refusalReason({ program: p, wall, now: wall, last: null, lastWall: 0 }) !== null, `${expr}: null, but ${new Date(wall).toISOString()} is allowed`);
          }
        }
      }
    }),
    { numRuns: 600 },
  );
  assert.ok(nulls.size > 10, `only ${nulls.size} never-matching expressions generated`);
});

/** croner's match() on each day of a cycle, at the pattern's first time of day. */
function assertCronNeverMatches(expr: string, startDay: number): void {
  const first = (xs: readonly number[]) => xs.findIndex((v) => v !== 0);
  const p = (croner(expr) as unknown as { _states: { pattern: { hour: number[]; minute: number[]; second: number[]; month: number[] } } })._states.pattern;
  const tod = ((first(p.hour) * 60 + first(p.minute)) * 60 + first(p.second)) * 1000;
  for (let day = startDay; day < startDay + CYCLE_DAYS; day++) {
    if (p.month[new Date(day * DAY).getUTCMonth()] === 0) continue;
    assert.ok(!croner(expr).match(new Date(day * DAY + tod)), `${expr}: null, but ${new Date(day * DAY + tod).toISOString()} matches`);
  }
}
