/**
 * A whole year through the daemon's real scheduler and planner with the real schedule engine,
 * on a fake clock and a launcher that finishes at once: five zones (two DST changes each where
 * they have them, a 30-minute one in Lord Howe, a half-hour offset in Kolkata), fixed-time and
 * wildcard schedules in both syntaxes, `~` windows and long intervals. Expected runs are
 * computed from Intl by brute force over a grid of instants, not by the engine.
 */
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { Clock } from "../../src/core/ports.js";
import type { DaemonEvent } from "../../src/scheduler/events.js";
import type { LaunchRequest } from "../../src/scheduler/ports.js";
import { ranRun } from "../helpers/task-run.js";
import { Scheduler } from "../../src/scheduler/scheduler.js";
import { parseSchedule } from "../../src/schedule/index.js";
import { makeTask, tasksUpdate } from "./harness.js";
import { DAY, HOUR, MINUTE, iso } from "./time.js";

const ZONES = ["UTC", "Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"];
const START = Date.UTC(2026, 0, 1);
const END = Date.UTC(2027, 0, 1);

/** Fixed-time schedules (cronie's rule: gap times once right after the gap, repeated times once). */
const FIXED: Record<string, { hh: number; mm: number }> = {
  "15 2 * * *": { hh: 2, mm: 15 },
  "45 1 * * *": { hh: 1, mm: 45 },
  "02:15": { hh: 2, mm: 15 },
  "01:45": { hh: 1, mm: 45 },
};
const WILD_CRON = "0 * * * *";
const WILD_OPENSVC = "@150m";
const SPLAYED = "~01:00-03:00";
const LONG = "@100d";
const RARE = "* mon:29 * feb";

/**
 * A clock whose timers fire in order without real sleeps; settling is a few microtask turns
 * (the launcher and the scheduler's loop only use promises and queueMicrotask).
 */
class YearClock implements Clock {
  private timers: { due: number; fire: () => void; id: number }[] = [];
  private id = 0;
  constructor(private wall: number) {}
  now(): number {
    return this.wall;
  }
  setTimer(ms: number, fire: () => void): { cancel(): void } {
    const t = { due: this.wall + ms, fire, id: this.id++ };
    this.timers.push(t);
    return { cancel: () => { this.timers = this.timers.filter((x) => x !== t); } };
  }
  async runUntil(end: number): Promise<void> {
    await settle();
    for (;;) {
      let next: (typeof this.timers)[number] | undefined;
      for (const t of this.timers) if (next === undefined || t.due < next.due || (t.due === next.due && t.id < next.id)) next = t;
      if (next === undefined || next.due > end) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.wall = next.due;
      next.fire();
      await settle();
    }
  }
}

/** Lets the loop's queued microtasks run (its drain, then a launch's completion). */
async function settle(): Promise<void> {
  await null;
  await null;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function wall(t: number, zone: string): { date: string; hh: number; mm: number } {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-CA", { timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" });
    formatters.set(zone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(t)).map((p) => [p.type, p.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, hh: Number(parts.hour), mm: Number(parts.minute) };
}

/** Every instant of the year on a 15-minute grid with its wall time (all offsets here are multiples of 15 min). */
function grid(zone: string): { t: number; date: string; hh: number; mm: number }[] {
  const out = [];
  for (let t = START; t < END; t += 15 * MINUTE) out.push({ t, ...wall(t, zone) });
  return out;
}

/**
 * Per local date that the year reaches before hh:mm: the first instant at hh:mm, else (a gap
 * swallowed it) the first instant after it.
 */
function expectedFixed(g: ReturnType<typeof grid>, hh: number, mm: number): number[] {
  const byDate = new Map<string, number>();
  const want = hh * 60 + mm;
  const before = new Set(g.filter((p) => p.hh * 60 + p.mm < want).map((p) => p.date));
  for (const p of g) if (before.has(p.date) && !byDate.has(p.date) && p.hh * 60 + p.mm >= want) byDate.set(p.date, p.t);
  return [...byDate.values()];
}

/** Local dates whose walls before `from` and after `to` (minutes) both lie in the year. */
function datesCovering(g: ReturnType<typeof grid>, from: number, to: number): string[] {
  const early = new Set(g.filter((p) => p.hh * 60 + p.mm < from).map((p) => p.date));
  return [...new Set(g.filter((p) => p.hh * 60 + p.mm > to && early.has(p.date)).map((p) => p.date))];
}

describe("a year through the daemon's planner in five zones", () => {
  it("runs every fixed-time slot exactly once, wildcard slots in real time, and never plans next=none for a task with a run ahead", async () => {
    const clock = new YearClock(START);
    const launched: LaunchRequest[] = [];
    const events: DaemonEvent[] = [];
    const scheduler = new Scheduler({
      clock,
      launch: (req) => {
        launched.push(req);
        return Promise.resolve(ranRun(req));
      },
      recordMissed: () => undefined,
      recordSkipped: () => undefined,
      loadLastScheduled: () => null,
      emit: (e) => events.push(e),
    }, { maxParallel: 64, maxTimerMs: 7 * DAY }); // the fake clock never steps: no 30 s wakes needed
    const exprs = [...Object.keys(FIXED), WILD_CRON, WILD_OPENSVC, SPLAYED, LONG, RARE];
    scheduler.start(ZONES.map((zone) => tasksUpdate(zone, exprs.map((e, i) => makeTask(zone, `task#${i}`, parseSchedule(e, { timezone: zone, splayKey: `n/${zone}/${i}` }))))));
    await clock.runUntil(END - 1); // a few seconds on an idle machine
    await scheduler.stop({ graceMs: 0 });

    for (const zone of ZONES) {
      const g = grid(zone);
      const runs = (i: number) => launched.filter((l) => l.svc === zone && l.rid === `task#${i}`).map((l) => l.scheduledFor.getTime());
      Object.values(FIXED).forEach(({ hh, mm }, i) => {
        assert.deepEqual(runs(i).map(iso), expectedFixed(g, hh, mm).map(iso), `${zone} ${exprs[i]}`);
      });
      const cronWild = runs(4);
      const expectedWild = g.filter((p) => p.mm === 0).map((p) => p.t);
      assert.deepEqual(cronWild.map(iso), expectedWild.map(iso), `${zone} ${WILD_CRON}: every wall hour, gap times skipped, repeated ones on both passes`);
      const interval = runs(5);
      for (let k = 1; k < interval.length; k++) assert.equal(interval[k]! - interval[k - 1]!, 150 * MINUTE, `${zone} ${WILD_OPENSVC} at ${iso(interval[k]!)}`);
      assert.equal(interval.length, Math.floor((END - 1 - START) / (150 * MINUTE)) + 1, `${zone} ${WILD_OPENSVC} count`);
      const splayed = runs(6).map((t) => wall(t, zone));
      assert.equal(new Set(splayed.map((w) => w.date)).size, splayed.length, `${zone} ${SPLAYED}: one run per local day`);
      const runDates = new Set(splayed.map((w) => w.date));
      for (const date of datesCovering(g, 60, 3 * 60)) assert.ok(runDates.has(date), `${zone} ${SPLAYED}: no run on ${date}`);
      for (const w of splayed) assert.ok(w.hh * 60 + w.mm >= 60 && w.hh * 60 + w.mm <= 3 * 60 + 30, `${zone} ${SPLAYED} at ${w.date} ${w.hh}:${w.mm}`);
      const long = runs(7);
      for (let k = 1; k < long.length; k++) assert.ok(long[k]! - long[k - 1]! >= 100 * DAY - HOUR, `${zone} ${LONG}`);
      assert.equal(long.length, 4, `${zone} ${LONG}: at start, then every 100 days`);
      assert.deepEqual(runs(8), [], `${zone} ${RARE}: the next Monday 29 February is in 2044`);
    }
    const nonePlanned = events.filter((e) => e.kind === "planned" && e.slot === null);
    assert.deepEqual(nonePlanned, [], "a task with a run ahead was planned next=none");
    const rarePlans = events.filter((e): e is Extract<DaemonEvent, { kind: "planned" }> => e.kind === "planned" && e.rid === "task#8");
    for (const p of rarePlans) assert.equal(p.slot?.getUTCFullYear(), 2044, `${p.svc}: ${String(p.slot)}`);
  });
});
