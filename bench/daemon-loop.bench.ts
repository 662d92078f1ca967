/**
 * Daemon loop benchmark, on a fake clock (no real timers) and no-op ports.
 *   node --import tsx bench/daemon-loop.bench.ts
 * 1. 10,000 configured tasks: planning time at start-up, heap growth.
 * 2. 1,000 slots due at the same instant launched through a no-op launch port: loop CPU per
 *    slot, against a baseline that only pushes/pops the same number of entries through the same
 *    heap and queue with one promise hand-off each, measured in the same run.
 */
import { WakeHeap } from "../src/scheduler/heap.js";
import { Fifo } from "../src/scheduler/fifo.js";
import { Scheduler } from "../src/scheduler/scheduler.js";
import type { ScheduledTask } from "../src/scheduler/task.js";
import { FakeClock } from "../test/helpers/fake-clock.js";
import { everySeconds } from "../test/helpers/fake-schedules.js";
import { parseSchedule } from "../src/schedule/index.js";
import type { Schedule } from "../src/schedule/types.js";

const HOUR = 3_600_000;
const EPOCH_HOUR = Date.UTC(2026, 6, 1, 0, 0, 0);
const START = EPOCH_HOUR + 1_000;
const gc = (globalThis as { gc?: () => void }).gc;

function task(i: number, seconds: number, engine = false): ScheduledTask {
  const svc = `svc${Math.floor(i / 10)}`;
  const rid = `task#${i % 10}`;
  const schedule: Schedule = engine ? parseSchedule(`${i % 60} */${1 + (i % 6)} * * *`, { timezone: "Europe/Paris" }) : everySeconds(seconds);
  return { key: `${svc}/${rid}`, svc, rid, schedule, catchup: "latest", catchupWindowMs: null, configDigest: String(seconds) };
}

function group(tasks: ScheduledTask[]) {
  const bySvc = new Map<string, ScheduledTask[]>();
  for (const t of tasks) bySvc.set(t.svc, [...(bySvc.get(t.svc) ?? []), t]);
  return [...bySvc].map(([svc, ts]) => ({ kind: "tasks" as const, svc, tasks: ts }));
}

function makeScheduler(clock: FakeClock, counter: { done: number }) {
  return new Scheduler({
    clock,
    launch: (req) => { counter.done++; return Promise.resolve({ rid: req.rid, status: "succeeded", failed: false }); },
    recordMissed: () => {},
    recordSkipped: () => {},
    loadLastScheduled: () => null,
    emit: () => {},
  }, { maxParallel: 64 });
}

async function startup(n: number, engine = false) {
  gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  const clock = new FakeClock(START);
  const s = makeScheduler(clock, { done: 0 });
  const tasks = Array.from({ length: n }, (_, i) => task(i, 60 * (1 + (i % 60)), engine));
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  s.start(group(tasks));
  await clock.idle();
  const cpu = process.cpuUsage(c0);
  const ms = performance.now() - t0;
  gc?.();
  const heapMb = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, heapMb, rssMb: process.memoryUsage().rss / 2 ** 20, keep: s };
}

async function burst(n: number, rounds: number) {
  const clock = new FakeClock(START);
  const counter = { done: 0 };
  const s = makeScheduler(clock, counter);
  s.start(group(Array.from({ length: n }, (_, i) => task(i, 3600))));
  await clock.idle();
  const perSlot: number[] = [];
  for (let r = 1; r <= rounds; r++) {
    await clock.advanceTo(EPOCH_HOUR + r * HOUR - 1);
    const before = counter.done;
    const c0 = process.cpuUsage();
    await clock.advanceBy(1);
    const cpu = process.cpuUsage(c0);
    if (counter.done - before !== n) throw new Error(`round ${r}: ${counter.done - before} launched`);
    perSlot.push((cpu.user + cpu.system) / n);
  }
  return median(perSlot);
}

async function baseline(n: number, rounds: number) {
  const perSlot: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const heap = new WakeHeap();
    const fifo = new Fifo<{ key: string; at: number }>();
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) heap.push({ at: r * HOUR, key: `k${i}`, gen: 0 });
    for (let e = heap.pop(); e !== undefined; e = heap.pop()) fifo.push({ key: e.key, at: e.at });
    let done = 0;
    for (let q = fifo.shift(); q !== undefined; q = fifo.shift()) void Promise.resolve(q).then(() => done++);
    await new Promise<void>((resolve) => setImmediate(resolve));
    const cpu = process.cpuUsage(c0);
    if (done !== n) throw new Error("baseline incomplete");
    perSlot.push((cpu.user + cpu.system) / n);
  }
  return median(perSlot);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const up = await startup(10_000);
console.log(`10,000 tasks: start-up planning ${up.ms.toFixed(1)} ms wall, ${up.cpuMs.toFixed(1)} ms CPU; heap +${up.heapMb.toFixed(1)} MB${gc ? "" : " (run with --expose-gc for exact heap)"}; RSS ${up.rssMb.toFixed(0)} MB`);
const upEngine = await startup(10_000, true);
console.log(`10,000 tasks with engine cron schedules (Europe/Paris): start-up planning ${upEngine.ms.toFixed(1)} ms wall, ${upEngine.cpuMs.toFixed(1)} ms CPU; heap +${upEngine.heapMb.toFixed(1)} MB; RSS ${upEngine.rssMb.toFixed(0)} MB`);
await burst(1000, 3); // warm-up
const loopUs = await burst(1000, 9);
const baseUs = await baseline(1000, 9);
console.log(`1,000 slots due at once: loop ${loopUs.toFixed(2)} µs CPU/slot (plan + launch + done + events), baseline ${baseUs.toFixed(2)} µs/slot, ratio ${(loopUs / baseUs).toFixed(1)}x`);
console.log(`budget: 5 ms daemon CPU per run -> loop uses ${((loopUs / 5000) * 100).toFixed(2)}% of it`);
void up.keep;
void upEngine.keep;
