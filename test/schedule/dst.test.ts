// DST cases beyond the shared vectors (spec/dst.md): both syntaxes, both transitions,
// northern and southern hemispheres, a 30-minute shift (Lord Howe).
import { test, describe } from "node:test";
import assert from "node:assert/strict";
import { parseSchedule } from "../../src/schedule/index.js";

function runs(expr: string, timezone: string, now: string, n: number, last: string | null = null): string[] {
  return parseSchedule(expr, { timezone }).nextRuns(new Date(now), n, last === null ? null : new Date(last)).map(iso);
}

function notes(expr: string, timezone: string, now: string, n: number): (string | undefined)[] {
  return parseSchedule(expr, { timezone }).explainRuns(new Date(now), n).map((r) => r.dst);
}

function iso(d: Date): string {
  return d.toISOString().replace(".000Z", "Z");
}

describe("cron, spring forward", () => {
  test("fixed time with a step and no * is fixed-time: moved after the gap (New York)", () => {
    assert.deepEqual(runs("0 0-23/2 * * *", "America/New_York", "2025-03-09T05:30:00Z", 2), ["2025-03-09T07:00:00Z", "2025-03-09T08:00:00Z"]);
  });
  test("Sydney 02:30 runs at 03:00 AEDT, then 02:30 the next day", () => {
    assert.deepEqual(runs("30 2 * * *", "Australia/Sydney", "2025-10-04T12:00:00Z", 2), ["2025-10-04T16:00:00Z", "2025-10-05T15:30:00Z"]);
    assert.deepEqual(notes("30 2 * * *", "Australia/Sydney", "2025-10-04T12:00:00Z", 2), ["gap-moved", undefined]);
  });
  test("Lord Howe (30-minute gap): 02:15 runs at 02:30", () => {
    assert.deepEqual(runs("15 2 * * *", "Australia/Lord_Howe", "2025-10-04T12:00:00Z", 2), ["2025-10-04T15:30:00Z", "2025-10-05T15:15:00Z"]);
  });
  test("two occurrences in one gap coalesce into one run (Berlin, dst.md example)", () => {
    assert.deepEqual(runs("10,40 2 * * *", "Europe/Berlin", "2025-03-29T23:00:00Z", 3), ["2025-03-30T01:00:00Z", "2025-03-31T00:10:00Z", "2025-03-31T00:40:00Z"]);
    assert.deepEqual(notes("10,40 2 * * *", "Europe/Berlin", "2025-03-29T23:00:00Z", 1), ["gap-coalesced"]);
  });
  test("next() exactly at the end of the gap still returns the moved run", () => {
    const s = parseSchedule("30 2 * * *", { timezone: "Europe/Berlin" });
    assert.equal(iso(s.next(new Date("2025-03-30T01:00:00Z"))!), "2025-03-30T01:00:00Z");
    assert.equal(s.check(new Date("2025-03-30T01:00:00Z")).allowed, true);
  });
  test("a 6-field cron with seconds in the gap: 60 occurrences, one run", () => {
    assert.deepEqual(runs("* 30 2 * * *", "Europe/Paris", "2025-03-30T00:00:00Z", 2), ["2025-03-30T01:00:00Z", "2025-03-31T00:30:00Z"]);
  });
});

describe("cron, fall back", () => {
  test("Sydney fixed 02:30 runs on the first pass only", () => {
    assert.deepEqual(runs("30 2 * * *", "Australia/Sydney", "2025-04-05T12:00:00Z", 2), ["2025-04-05T15:30:00Z", "2025-04-06T16:30:00Z"]);
    assert.deepEqual(notes("30 2 * * *", "Australia/Sydney", "2025-04-05T12:00:00Z", 1), ["overlap-first"]);
  });
  test("Sydney wildcard runs on both passes", () => {
    assert.deepEqual(runs("*/30 2 * * *", "Australia/Sydney", "2025-04-05T14:59:00Z", 5), [
      "2025-04-05T15:00:00Z", "2025-04-05T15:30:00Z", "2025-04-05T16:00:00Z", "2025-04-05T16:30:00Z", "2025-04-06T16:00:00Z",
    ]);
  });
  test("Lord Howe (30-minute repeat): 01:45 on the first pass only", () => {
    assert.deepEqual(runs("45 1 * * *", "Australia/Lord_Howe", "2025-04-05T12:00:00Z", 2), ["2025-04-05T14:45:00Z", "2025-04-06T15:15:00Z"]);
  });
  test("from inside the second pass, a fixed time never returns the second pass", () => {
    const s = parseSchedule("30 1 * * *", { timezone: "America/New_York" });
    assert.equal(iso(s.next(new Date("2025-11-02T06:10:00Z"))!), "2025-11-03T06:30:00Z");
    assert.equal(s.check(new Date("2025-11-02T06:30:00Z")).allowed, false);
  });
});

describe("OpenSVC windows", () => {
  test("a once-per-range window swallowed by the gap runs right after it (Paris)", () => {
    assert.deepEqual(runs("02:00-02:30", "Europe/Paris", "2025-03-29T23:30:00Z", 2), ["2025-03-30T01:00:00Z", "2025-03-31T00:00:00Z"]);
    assert.deepEqual(notes("02:00-02:30", "Europe/Paris", "2025-03-29T23:30:00Z", 1), ["gap-moved"]);
    assert.equal(parseSchedule("02:00-02:30", { timezone: "Europe/Paris" }).check(new Date("2025-03-30T01:00:00Z")).allowed, true);
  });
  test("a window reaching past the gap opens at the gap's end", () => {
    assert.deepEqual(runs("02:30-03:30", "Europe/Paris", "2025-03-29T23:30:00Z", 1), ["2025-03-30T01:00:00Z"]);
  });
  test("two windows in one gap coalesce", () => {
    assert.deepEqual(runs("02:10-02:20,02:30-02:40", "Europe/Paris", "2025-03-29T23:30:00Z", 2), ["2025-03-30T01:00:00Z", "2025-03-31T00:10:00Z"]);
    assert.deepEqual(notes("02:10-02:20,02:30-02:40", "Europe/Paris", "2025-03-29T23:30:00Z", 1), ["gap-coalesced"]);
  });
  test("an interval window counts real time across the gap", () => {
    assert.deepEqual(runs("00:00-06:00@1h", "Europe/Paris", "2025-03-29T23:00:00Z", 7), [
      "2025-03-29T23:00:00Z", "2025-03-30T00:00:00Z", "2025-03-30T01:00:00Z", "2025-03-30T02:00:00Z",
      "2025-03-30T03:00:00Z", "2025-03-30T04:00:00Z", "2025-03-30T22:00:00Z",
    ]);
  });
  test("a once-per-range window in the repeated hour runs once (New York)", () => {
    assert.deepEqual(runs("01:00-01:59", "America/New_York", "2025-11-02T04:30:00Z", 2), ["2025-11-02T05:00:00Z", "2025-11-03T06:00:00Z"]);
    assert.deepEqual(notes("01:00-01:59", "America/New_York", "2025-11-02T04:30:00Z", 1), ["overlap-first"]);
    const s = parseSchedule("01:00-01:59", { timezone: "America/New_York" });
    assert.equal(iso(s.next(new Date("2025-11-02T06:10:00Z"))!), "2025-11-03T06:00:00Z");
    assert.equal(s.check(new Date("2025-11-02T06:10:00Z")).allowed, false);
  });
  test("a window spanning the repeated hour does not run again on the wall clock's second 01:30", () => {
    assert.deepEqual(runs("01:30-02:30", "America/New_York", "2025-11-02T05:00:00Z", 2), ["2025-11-02T05:30:00Z", "2025-11-03T06:30:00Z"]);
  });
  test("@30m counts real elapsed time through the repeated hour", () => {
    assert.deepEqual(runs("@30m", "America/New_York", "2025-11-02T04:50:00Z", 4, "2025-11-02T04:50:00Z"), [
      "2025-11-02T05:20:00Z", "2025-11-02T05:50:00Z", "2025-11-02T06:20:00Z", "2025-11-02T06:50:00Z",
    ]);
  });
  test("southern hemisphere: Sydney window in the repeated hour, first pass only", () => {
    assert.deepEqual(runs("02:00-02:59 sun", "Australia/Sydney", "2025-04-05T12:00:00Z", 2), ["2025-04-05T15:00:00Z", "2025-04-12T16:00:00Z"]);
  });
  test("southern hemisphere: Santiago gap at midnight moves a 00:15 window to 01:00", () => {
    // Chile springs forward at 24:00 → 01:00 (2025-09-07 local).
    assert.deepEqual(runs("00:15", "America/Santiago", "2025-09-06T12:00:00Z", 1), ["2025-09-07T04:00:00Z"]);
  });
});

describe("deterministic ~ delay", () => {
  const now = new Date("2025-06-02T07:00:00Z");
  test("same key, same window: same instant on every call and from any earlier now", () => {
    const s = parseSchedule("~09:00-10:00", { timezone: "UTC", splayKey: "n1/svc/task#0" });
    const a = s.next(now)!;
    assert.equal(s.next(new Date("2025-06-02T09:00:00Z"))!.getTime(), a.getTime());
    assert.ok(a >= new Date("2025-06-02T09:00:00Z") && a <= new Date("2025-06-02T09:59:59Z"));
  });
  test("different keys spread over the window", () => {
    const at = new Set(Array.from({ length: 20 }, (_, i) => parseSchedule("~09:00-10:00", { timezone: "UTC", splayKey: `svc/task#${i}` }).next(now)!.getTime()));
    assert.ok(at.size >= 15);
  });
  test("no delay when the window is short or the interval shorter than the window", () => {
    assert.equal(iso(parseSchedule("~09:00-09:00:02", { timezone: "UTC", splayKey: "k" }).next(now)!), "2025-06-02T09:00:00Z");
    assert.equal(iso(parseSchedule("~09:00-10:00@10m", { timezone: "UTC", splayKey: "k" }).next(now)!), "2025-06-02T09:00:00Z");
  });
  test("a window running past midnight never splays into a day its day filter refuses", () => {
    // 06:00 on the 1st to 00:34 on the 2nd, only on the 1st: the 2nd's part of the window is
    // refused by check(), so the delay must not land there (it runs at the hit instead).
    const s = parseSchedule("~06:00-00:34 *:1", { timezone: "Australia/Lord_Howe", splayKey: "p" });
    const from = new Date("2020-01-01T00:00:00Z"); // 11:00 local on the 1st, inside the window
    const next = s.next(from)!;
    assert.equal(s.check(next).allowed, true, `${next.toISOString()}: ${s.check(next).reason}`);
    assert.equal(iso(next), "2020-01-01T00:00:00Z");
    for (let i = 0; i < 40; i++) {
      const k = parseSchedule("~06:00-00:34 *:1", { timezone: "UTC", splayKey: `svc/task#${i}` });
      const at = k.next(new Date("2025-06-01T05:00:00Z"))!;
      assert.equal(k.check(at).allowed, true, `key ${i}: ${at.toISOString()}`);
    }
  });
  test("past the target, a window not yet run runs now (catch-up)", () => {
    const s = parseSchedule("~09:00-10:00", { timezone: "UTC", splayKey: "k" });
    const target = s.next(now)!;
    const late = new Date(target.getTime() + 1000);
    assert.equal(s.next(late)!.getTime(), late.getTime());
  });
});
