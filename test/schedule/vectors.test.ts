// Conformance with spec/schedule-vectors.json (OpenSVC test suites, spec §4.6), with the
// design §6 rulings applied where they override the vectors' expectations.
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { parseSchedule, ScheduleSyntaxError } from "../../src/schedule/index.js";
import { parseElement } from "../../src/schedule/grammar.js";
import { filterWithModulo, parseCalendarList, parseMonths, parseWeeks, WEEKDAYS, MONTHS, WEEKS } from "../../src/schedule/fields.js";
import { monthLength } from "../../src/schedule/calendar.js";
import { loadSpec, utc } from "./helpers.js";

interface Vector {
  id: string;
  kind: string;
  schedule?: string | null;
  now?: string;
  last?: string | null;
  input?: number[];
  expected?: Record<string, unknown>;
  expected_om3?: Record<string, unknown>;
}

const { vectors } = loadSpec<{ vectors: Vector[] }>("schedule-vectors.json");
const opts = { timezone: "UTC" };

/** design §6: `dom 0` and a zero interval make the whole expression invalid. */
const RULED_INVALID = new Set(["* :0", "* *:0", "*@0"]);

function expectedOf(v: Vector): Record<string, unknown> {
  return v.expected ?? v.expected_om3 ?? {};
}

function byKind(kind: string): Vector[] {
  return vectors.filter((v) => v.kind === kind);
}

describe("schedule vectors: test (check)", () => {
  for (const v of byKind("test")) {
    test(`${v.id} ${JSON.stringify(v.schedule)} @ ${v.now}`, () => {
      if (RULED_INVALID.has(v.schedule!)) {
        assert.throws(() => parseSchedule(v.schedule!, opts), ScheduleSyntaxError);
        return;
      }
      const r = parseSchedule(v.schedule!, opts).check(utc(v.now!), v.last ? utc(v.last) : null);
      const exp = expectedOf(v);
      assert.equal(r.allowed, exp.allowed, r.reason);
      if (typeof exp.reason === "string") assert.match(r.reason ?? "", /last run is too soon/);
      if (exp.delay_gte !== undefined) assert.ok((r.delayMs ?? 0) >= 0);
    });
  }
});

describe("schedule vectors: next", () => {
  for (const v of byKind("next")) {
    test(`${v.id} ${JSON.stringify(v.schedule)}`, () => {
      if (RULED_INVALID.has(v.schedule!)) {
        assert.throws(() => parseSchedule(v.schedule!, opts), ScheduleSyntaxError);
        return;
      }
      const got = parseSchedule(v.schedule!, opts).next(utc(v.now!), v.last ? utc(v.last) : null);
      const exp = expectedOf(v).next as string | null;
      assert.equal(got?.toISOString() ?? null, exp === null ? null : utc(exp).toISOString());
    });
  }
});

describe("schedule vectors: invalid", () => {
  for (const v of byKind("invalid")) {
    test(`${v.id} ${JSON.stringify(v.schedule)}`, () => {
      assert.throws(() => parseSchedule(v.schedule!, opts), (e: unknown) => {
        assert.ok(e instanceof ScheduleSyntaxError);
        assert.equal(e.exitCode, 2);
        assert.ok(e.message.startsWith(`invalid schedule ${JSON.stringify(v.schedule)}: `), e.message);
        return true;
      });
    });
  }
});

describe("schedule vectors: parse (derived: is the expression rejected?)", () => {
  for (const v of byKind("parse")) {
    test(`${v.id} ${JSON.stringify(v.schedule)}`, () => {
      const invalid = RULED_INVALID.has(v.schedule!) || expectedOf(v).invalid === true;
      if (invalid) assert.throws(() => parseSchedule(v.schedule!, opts), ScheduleSyntaxError);
      else assert.doesNotThrow(() => parseSchedule(v.schedule!, opts));
    });
  }
});

describe("schedule vectors: parse_interval and parse_data", () => {
  for (const v of byKind("parse_interval")) {
    test(`${v.id} ${v.schedule}`, () => {
      const el = parseElement(v.schedule!);
      assert.equal(el.ranges[0]!.interval / 1000, expectedOf(v).interval_seconds);
    });
  }
  for (const v of byKind("parse_data")) {
    test(`${v.id} ${v.schedule}`, () => {
      const exp = expectedOf(v) as { timeranges: { begin: string; end: string; interval_seconds: number; probabilistic: boolean }[]; days: { weekday: number; monthday: number }[]; weeks: number[]; months: number[]; exclude: boolean };
      const el = parseElement(v.schedule!);
      const tr = exp.timeranges[0]!;
      assert.equal(el.ranges[0]!.begin, hm(tr.begin));
      assert.equal(el.ranges[0]!.end, hm(tr.end));
      assert.equal(el.ranges[0]!.interval / 1000, tr.interval_seconds);
      assert.equal(el.ranges[0]!.probabilistic, tr.probabilistic);
      assert.deepEqual(el.dayRules, exp.days);
      assert.deepEqual(weeksOf(el.weeks), exp.weeks);
      assert.deepEqual(bits(el.months, 12), exp.months);
      assert.equal(el.exclude, exp.exclude);
    });
  }
});

describe("schedule vectors: calendar fields", () => {
  const scales = { parse_weekdays: WEEKDAYS, parse_months: MONTHS, parse_weeks: WEEKS } as const;
  for (const [kind, scale] of Object.entries(scales)) {
    for (const v of byKind(kind)) {
      test(`${v.id} ${kind} ${v.schedule}`, () => {
        assert.deepEqual(parseCalendarList(v.schedule!, scale), expectedOf(v).values);
        if (kind === "parse_months") assert.deepEqual(bits(parseMonths(v.schedule!), 12), expectedOf(v).values);
        if (kind === "parse_weeks") assert.deepEqual(weeksOf(parseWeeks(v.schedule!)), expectedOf(v).values);
      });
    }
  }
  for (const v of byKind("modulo_filter")) {
    test(`${v.id} modulo %${v.schedule}`, () => {
      assert.deepEqual(filterWithModulo(v.input!, v.schedule!), expectedOf(v).values);
    });
  }
  for (const v of byKind("month_days")) {
    test(`${v.id} month_days ${v.now}`, () => {
      const d = utc(v.now!);
      assert.equal(monthLength(d.getUTCFullYear(), d.getUTCMonth() + 1), expectedOf(v).days);
    });
  }
});

describe("schedule vectors: CLI-level properties", () => {
  const now = utc("2015-02-27T07:00:00");
  for (const v of byKind("next_property")) {
    test(`${v.id} ${v.schedule}`, () => {
      const exp = expectedOf(v);
      if ("distinct_next_over_6_calls_gt" in exp) {
        // svcmgr's `~` delay is deterministic per task: the spread is across tasks, not calls.
        const keys = ["a", "b", "c", "d", "e", "f"].map((k) => `node/svc/task#${k}`);
        const nexts = keys.map((splayKey) => parseSchedule(v.schedule!, { ...opts, splayKey }).next(now)!.getTime());
        assert.ok(new Set(nexts).size > (exp.distinct_next_over_6_calls_gt as number));
        const again = parseSchedule(v.schedule!, { ...opts, splayKey: keys[0] }).next(now)!.getTime();
        assert.equal(again, nexts[0]);
        return;
      }
      if ("distinct_next_over_4_calls" in exp) {
        const s = parseSchedule(v.schedule!, opts);
        const nexts = new Set([1, 2, 3, 4].map(() => s.next(now)!.getTime()));
        assert.equal(nexts.size, exp.distinct_next_over_4_calls);
        return;
      }
      const last = v.last === "now" ? now : null;
      const next = parseSchedule(v.schedule!, opts).next(now, last)!;
      const delta = (next.getTime() - now.getTime()) / 1000;
      assert.ok(delta >= (exp.next_minus_now_seconds_min as number) && delta <= (exp.next_minus_now_seconds_max as number), String(delta));
    });
  }
  for (const v of byKind("print_schedule")) {
    // cli-0014 has no schedule: it tests py's default status_schedule keyword, not the engine.
    if (v.schedule === null || v.schedule === undefined) continue;
    test(`${v.id} ${v.schedule} echoes its definition`, () => {
      assert.equal(parseSchedule(v.schedule!, opts).expression, expectedOf(v).schedule_definition);
    });
  }
});

test("every vector kind is covered (legacy_test is informational: pre-2020 semantics)", () => {
  const known = new Set(["test", "next", "invalid", "parse_interval", "parse_data", "parse_weekdays", "parse_months", "parse_weeks", "modulo_filter", "month_days", "next_property", "print_schedule", "legacy_test", "parse"]);
  for (const v of vectors) assert.ok(known.has(v.kind), v.kind);
});

function hm(text: string): number {
  const [h, m, s] = text.split(":").map(Number);
  return ((h! * 60 + m!) * 60 + (s ?? 0)) * 1000;
}

function bits(mask: number, max: number): number[] {
  const out: number[] = [];
  for (let i = 1; i <= max; i++) if ((mask >> i) & 1) out.push(i);
  return out;
}

function weeksOf(table: readonly boolean[] | null): number[] {
  if (table === null) return Array.from({ length: 53 }, (_, i) => i + 1);
  return table.flatMap((on, i) => (on ? [i] : []));
}
