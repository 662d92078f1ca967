/**
 * The real daemon with many configured tasks, after `npm run build`:
 *   node --import tsx bench/daemon-scale.bench.ts [--services 100] [--tasks 100] [--settle 10] [--idle 20] [--profile DIR]
 *
 * 100 services × 100 tasks (`/bin/true`), schedules spread over the day and kept away from the
 * current hour so that none runs during the measure: half cron with seconds (`S M H * * *`), half
 * OpenSVC windows (`HH:MM-HH:MM`, once per range). Measures:
 * - start-up: from spawn to the log line `daemon started`, and to the last of the first `planned`
 *   lines (every task has a timer: the daemon is ready);
 * - resident memory (VmRSS) once started, and the peak (VmHWM);
 * - CPU in the `--settle` seconds after start-up (V8 trims the start-up heap), then idle CPU over
 *   `--idle` seconds: (utime + stime) delta / wall, as % of one core.
 * Targets: RSS ≤ 200 MB, idle CPU < 1 % of a core.
 */
import { execFileSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { makeRoot, type TestRoot } from "../test/e2e/helpers.js";
import { Daemon } from "../test/e2e/daemon-harness.js";
import { arg } from "./args.js";

const SERVICES = Number(arg("services", "100"));
const PER_SERVICE = Number(arg("tasks", "100"));
const IDLE_S = Number(arg("idle", "20"));
const SETTLE_S = Number(arg("settle", "10"));
const PROFILE = arg("profile", "");
const TICK_MS = 1000 / Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
const TOTAL = SERVICES * PER_SERVICE;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pad = (n: number) => String(n).padStart(2, "0");

/** Spread over the 20 hours that start two hours from now (none fires during the benchmark). */
function scheduleFor(i: number, nowHour: number): string {
  const hour = (nowHour + 2 + (i % 20)) % 24;
  const minute = Math.floor(i / 20) % 50;
  if (i % 2 === 0) return `${i % 60} ${minute} ${hour} * * *`;
  return `${pad(hour)}:${pad(minute)}-${pad(hour)}:${pad(minute + 5)}`;
}

function writeServices(root: TestRoot): void {
  const nowHour = new Date().getHours();
  for (let s = 0; s < SERVICES; s++) {
    const lines: string[] = [];
    for (let t = 0; t < PER_SERVICE; t++) lines.push(`[task#${t}]\ncommand = /bin/true\nschedule = ${scheduleFor(s * PER_SERVICE + t, nowHour)}\n`);
    root.writeConf(`scale${s}`, lines.join("\n"));
  }
}

async function main(): Promise<void> {
  console.log(`daemon scale benchmark: ${SERVICES} services × ${PER_SERVICE} tasks = ${TOTAL}; ${availableParallelism()} CPUs, node ${process.version}\n`);
  const root = makeRoot();
  try {
    writeServices(root);
    const nodeArgs = PROFILE === "" ? [] : ["--cpu-prof", `--cpu-prof-dir=${PROFILE}`, "--cpu-prof-name=scale.cpuprofile"];
    const t0 = performance.now();
    const d = Daemon.start(root, [], nodeArgs);
    try {
      await d.waitEvent("daemon started", (e) => e.event === "daemon-started", 60_000);
      const startedMs = performance.now() - t0;
      const planned = new Set<string>();
      let seen = 0;
      await d.waitEvent(`${TOTAL} tasks planned`, () => {
        for (; seen < d.events.length; seen++) {
          const e = d.events[seen]!;
          if (e.event === "planned") planned.add(`${e.svc} ${e.rid}`);
        }
        return planned.size >= TOTAL;
      }, 120_000);
      const readyMs = performance.now() - t0;
      const badEvents = d.events.filter((e) => e.event === "not-scheduled" || e.event === "started" || e.level === "error");
      await sleep(2000);
      const rssKb = d.memoryKb();
      const hwmKb = d.memoryKb("VmHWM");
      // V8 trims the heap left by the start-up in the next seconds: measured apart from idling.
      const settle0 = d.cpuTicks();
      const s0 = performance.now();
      await sleep(SETTLE_S * 1000);
      const settlePct = (((d.cpuTicks() - settle0) * TICK_MS) / (performance.now() - s0)) * 100;
      const cpu0 = d.cpuTicks();
      const w0 = performance.now();
      await sleep(IDLE_S * 1000);
      const idlePct = (((d.cpuTicks() - cpu0) * TICK_MS) / (performance.now() - w0)) * 100;
      const rssAfterKb = d.memoryKb();
      const nullPlans = d.find("planned").filter((e) => e.slot === undefined).length;

      const rows = [
        ["measure", "value", "target"],
        ["tasks configured / planned", `${TOTAL} / ${planned.size}${nullPlans > 0 ? ` (${nullPlans} without a next slot)` : ""}`, ""],
        ["start-up: spawn → 'daemon started'", `${startedMs.toFixed(0)} ms`, ""],
        ["start-up: spawn → every task planned", `${readyMs.toFixed(0)} ms`, ""],
        ["RSS after start-up", `${(rssKb / 1024).toFixed(1)} MiB`, `≤ 200 MB ${rssKb * 1024 <= 200e6 ? "ok" : "MISSED"}`],
        ["RSS peak (VmHWM)", `${(hwmKb / 1024).toFixed(1)} MiB`, ""],
        [`RSS after ${IDLE_S} s idle`, `${(rssAfterKb / 1024).toFixed(1)} MiB`, ""],
        [`CPU in the ${SETTLE_S} s after start-up (heap trimming)`, `${settlePct.toFixed(2)} % of a core`, ""],
        [`idle CPU over the next ${IDLE_S} s`, `${idlePct.toFixed(2)} % of a core`, `< 1 % ${idlePct < 1 ? "ok" : "MISSED"}`],
        ["unexpected events (not-scheduled, started, errors)", String(badEvents.length), "0"],
      ];
      const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join("  "));
      if (badEvents.length > 0) console.log(`\nfirst unexpected: ${badEvents.slice(0, 3).map((e) => e.message).join(" | ")}`);
    } finally {
      await d.stop("SIGTERM", 30_000).catch(() => d.stop("SIGKILL"));
    }
  } finally {
    root.cleanup();
  }
}

await main();
