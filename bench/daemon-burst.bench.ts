/**
 * The real daemon under a burst, after `npm run build`:
 *   node --import tsx bench/daemon-burst.bench.ts [--tasks 1000] [--parallel 64] [--profile DIR]
 *
 * 1. 1,000 tasks (10 services × 100) running `/bin/true`, all due at the same second, with
 *    `--max-parallel` as high as the burst (the node-wide limit not in the way: what the daemon
 *    itself costs), `--max-parallel 64` and the default (the limit queueing the burst), each
 *    twice: the first burst (every task's first run: its files are created, the code is cold)
 *    and the same tasks 20 s later. Start lag (`startedAt − scheduledFor`, from the history)
 *    p50 / p99 / max, wall time until the last record is final, daemon CPU per run (utime +
 *    stime of the daemon, all threads, between just before the slot and the last record), and
 *    the tasks' own CPU per run (what the daemon reaped), which shares the same CPUs.
 * 2. Baselines measured in the same run, at each case's concurrency: a bare Node script spawning
 *    `/bin/true` as many times through child_process (its own CPU per spawn, wall time, and each
 *    spawn's offset from the loop's start: the start lag of a scheduler that did nothing but
 *    spawn), the same through svcmgr's vfork launcher alone (what the daemon pays for starting,
 *    without recording), and `node -e 0` (the start a CLI re-spawn per run would pay, as
 *    OpenSVC does). When the limit queues the burst, a run starts only when an earlier one has
 *    ended, so the lag is bounded by how fast the CPUs get through the runs: the baselines'
 *    lag at the same concurrency is the floor to compare with.
 * 3. One task due at exact seconds, ten times: start lag median and max.
 * With `--profile DIR`, the burst daemons run under `node --cpu-prof` (profiles written to DIR on stop).
 *
 * `--compare-cgroups [--rounds N] [--period S]`: what run cgroups cost (design §15). The `--max-parallel`
 * burst case only, with run cgroups (as the host gives them) and without (the daemon started
 * with SVCMGR_RUN_CGROUPS=0: process-group containment), alternating, N rounds (default 3);
 * wall time, daemon CPU per run and lag p99 of each, and the with / without ratios. A loaded
 * machine may need a longer `--period` than 20 s (a burst must end before the next slot).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { availableParallelism } from "node:os";
import { makeRoot, type TestRoot } from "../test/e2e/helpers.js";
import { Daemon, waitRecords } from "../test/e2e/daemon-harness.js";
import { defaultMaxParallel } from "../src/scheduler/ports.js";
import { nativeSpawnTask } from "../src/platform/task-spawn.js";
import type { RunRecord } from "../src/core/run-record.js";
import { arg } from "./args.js";

const TASKS = Number(arg("tasks", "1000"));
const PARALLEL = Number(arg("parallel", "64"));
const PROFILE = arg("profile", "");
const COMPARE_CGROUPS = process.argv.includes("--compare-cgroups");
const ROUNDS = Number(arg("rounds", "3"));
const SERVICES = 10;
const TICK_MS = 1000 / Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
const DEFAULT_PARALLEL = defaultMaxParallel(availableParallelism());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function writeServices(root: TestRoot, tasks: number, schedule: string): void {
  const perService = Math.ceil(tasks / SERVICES);
  for (let s = 0; s < SERVICES; s++) {
    const lines: string[] = [];
    for (let t = 0; t < perService && s * perService + t < tasks; t++) lines.push(`[task#${t}]\ncommand = /bin/true\nschedule = ${schedule}\n`);
    root.writeConf(`burst${s}`, lines.join("\n"));
  }
}

interface BurstResult {
  readonly label: string;
  readonly runs: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly wallMs: number;
  readonly cpuMsPerRun: number;
  /** CPU of the tasks themselves (`/bin/true`), per run. */
  readonly taskCpuMsPerRun: number;
  /** Part of the daemon's CPU spent in the kernel. */
  readonly sysShare: number;
  readonly statuses: string;
}

/** Every task is due every PERIOD_MS (`--period S`, default 20): the first burst creates the tasks' files, the second finds them. */
const PERIOD_MS = Number(arg("period", "20")) * 1000;
// The schedule is `*/S * * * * *`: S must divide a minute for its slots to be S apart.
if (!(PERIOD_MS > 0 && 60_000 % PERIOD_MS === 0)) throw new Error(`--period ${PERIOD_MS / 1000}: give seconds that divide 60 (20, 30, 60)`);

/**
 * One daemon, two bursts of the same tasks PERIOD_MS apart: the first run of a task creates its
 * directories and files (and the daemon's code is still cold); the second is what a recurring
 * burst (nightly jobs) costs.
 */
async function burst(label: string, maxParallel: number | null, env: Readonly<Record<string, string>> = {}): Promise<BurstResult[]> {
  const root = makeRoot();
  try {
    // Start the daemon on an empty root, then add the services for a slot a few seconds ahead.
    const args = ["--grace", "5s", "--keep-runs", "100000", ...(maxParallel === null ? [] : ["--max-parallel", String(maxParallel)])];
    const nodeArgs = PROFILE === "" ? [] : ["--cpu-prof", `--cpu-prof-dir=${PROFILE}`, `--cpu-prof-name=burst-${label.replace(/\W+/g, "_")}.cpuprofile`];
    const d = Daemon.start(root, args, nodeArgs, env);
    try {
      await d.waitEvent("daemon started", (e) => e.event === "daemon-started", 20_000);
      // No slot may fall between writing the services and the measured one.
      if (Date.now() % PERIOD_MS > PERIOD_MS - 7000) await sleep(PERIOD_MS - (Date.now() % PERIOD_MS) + 100);
      const first = Math.ceil(Date.now() / PERIOD_MS) * PERIOD_MS;
      writeServices(root, TASKS, `*/${PERIOD_MS / 1000} * * * * *`);
      await d.waitEvent("every task planned", () => new Set(d.find("planned").map((e) => `${e.svc} ${e.rid}`)).size >= TASKS, 20_000);
      const out: BurstResult[] = [];
      for (const [i, slot] of [first, first + PERIOD_MS].entries()) {
        const wait = slot - 500 - Date.now();
        if (wait < 0) throw new Error(`burst ${i + 1} of ${label}: the slot passed before it could be measured (${-wait} ms late)`);
        await sleep(wait);
        const cpu0 = d.cpuSplit();
        const all = await waitRecords(root, `${TASKS} final records`, (rs) => {
          const mine = rs.filter((r) => r.scheduledFor === slot);
          return mine.length >= TASKS && mine.every((r) => r.status !== "running");
        }, 120_000, d);
        const cpu1 = d.cpuSplit();
        out.push(burstResult(`${label}, ${i === 0 ? "first burst" : "same tasks again"}`, slot, all.filter((r) => r.scheduledFor === slot), cpu0, cpu1));
      }
      return out;
    } finally {
      await d.stop("SIGTERM", 30_000).catch(() => d.stop("SIGKILL"));
    }
  } finally {
    root.cleanup();
  }
}

type CpuTicks = { user: number; system: number; children: number };

function burstResult(label: string, slot: number, recs: readonly RunRecord[], cpu0: CpuTicks, cpu1: CpuTicks): BurstResult {
  const lags = recs.map((r) => r.startedAt - r.scheduledFor!).sort((a, b) => a - b);
  const lastEnd = Math.max(...recs.map((r) => r.endedAt ?? r.startedAt));
  const statuses = Object.entries(recs.reduce<Record<string, number>>((acc, r) => ((acc[r.status] = (acc[r.status] ?? 0) + 1), acc), {})).map(([k, v]) => `${k}=${v}`).join(" ");
  const ticks = cpu1.user + cpu1.system - cpu0.user - cpu0.system;
  return {
    label, runs: recs.length, p50: quantile(lags, 0.5), p99: quantile(lags, 0.99), max: lags[lags.length - 1]!, wallMs: lastEnd - slot,
    cpuMsPerRun: (ticks * TICK_MS) / recs.length, taskCpuMsPerRun: ((cpu1.children - cpu0.children) * TICK_MS) / recs.length, sysShare: (cpu1.system - cpu0.system) / ticks, statuses,
  };
}

/**
 * A bare Node script: spawn `/bin/true` N times, `concurrency` at a time, as if all were due at
 * its start; its own CPU (self and waited children) and each spawn's offset from the start
 * (the start lag a scheduler that did nothing else would have).
 */
const SPAWN_BASELINE = `
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
const [n, conc] = process.argv.slice(1).map(Number);
const ticks = () => { const f = readFileSync("/proc/self/stat", "latin1"); const x = f.slice(f.lastIndexOf(")") + 2).split(" "); return [Number(x[11]) + Number(x[12]), Number(x[13]) + Number(x[14])]; };
const [self0, kids0] = ticks();
const t0 = performance.now();
let started = 0;
const starts = [];
const one = () => new Promise((res) => { starts.push(performance.now() - t0); const c = spawn("/bin/true", [], { stdio: ["ignore", "pipe", "pipe"], detached: true }); c.stdout.resume(); c.stderr.resume(); c.on("close", res); });
const worker = async () => { while (started < n) { started++; await one(); } };
await Promise.all(Array.from({ length: conc }, worker));
const wall = performance.now() - t0;
const [self1, kids1] = ticks();
console.log(JSON.stringify({ wall, selfTicks: self1 - self0, childTicks: kids1 - kids0, starts }));
`;

interface Baseline {
  readonly wallMs: number;
  readonly cpuMsPerSpawn: number;
  /** Offsets of the spawns from the loop's start, sorted. */
  readonly starts: readonly number[];
}

function spawnBaseline(n: number, conc: number): Baseline & { childCpuMsPerSpawn: number } {
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", SPAWN_BASELINE, String(n), String(conc)], { encoding: "utf8" });
  const r = JSON.parse(out) as { wall: number; selfTicks: number; childTicks: number; starts: number[] };
  return { wallMs: r.wall, cpuMsPerSpawn: (r.selfTicks * TICK_MS) / n, childCpuMsPerSpawn: (r.childTicks * TICK_MS) / n, starts: r.starts.sort((a, b) => a - b) };
}

/** The vfork launcher alone, in this process: CPU per spawn (user + system), wall time and spawn offsets. */
async function nativeSpawnBaseline(n: number, conc: number): Promise<Baseline | null> {
  const spawnTask = nativeSpawnTask();
  if (spawnTask === null) return null;
  const starts: number[] = [];
  let t0 = 0;
  const one = async () => {
    starts.push(performance.now() - t0);
    const c = await spawnTask("/bin/true", ["/bin/true"], { cwd: "/", env: {} });
    const closed = new Promise<void>((resolve) => {
      let open = 2;
      c.onOutput((_stream, chunk) => chunk === null && --open === 0 && resolve());
    });
    await Promise.all([closed, new Promise((r) => c.onExit(r))]);
  };
  let started = 0;
  const worker = async () => {
    while (started < n) {
      started++;
      await one();
    }
  };
  const cpu0 = process.cpuUsage();
  t0 = performance.now();
  await Promise.all(Array.from({ length: conc }, worker));
  const cpu = process.cpuUsage(cpu0);
  return { wallMs: performance.now() - t0, cpuMsPerSpawn: (cpu.user + cpu.system) / 1000 / n, starts: starts.sort((a, b) => a - b) };
}

/** `node -e 0`: wall and CPU (user + system, from the waited child) per start. */
function nodeStart(times: number): { wallMs: number; cpuMs: number } {
  const CPU_OF_CHILDREN = `const f=require("fs").readFileSync("/proc/self/stat","latin1");const x=f.slice(f.lastIndexOf(")")+2).split(" ");console.log(Number(x[13])+Number(x[14]))`;
  const kids = () => Number(execFileSync(process.execPath, ["-e", `${"const {spawnSync}=require('child_process');"}for(let i=0;i<${times};i++)spawnSync(process.execPath,["-e","0"]);${CPU_OF_CHILDREN}`], { encoding: "utf8" }).trim());
  const t0 = performance.now();
  for (let i = 0; i < times; i++) spawnSync(process.execPath, ["-e", "0"]);
  const wallMs = (performance.now() - t0) / times;
  return { wallMs, cpuMs: (kids() * TICK_MS) / times };
}

async function singleTask(times: number): Promise<{ lags: number[] }> {
  const root = makeRoot();
  const d = Daemon.start(root);
  try {
    await d.waitEvent("daemon started", (e) => e.event === "daemon-started", 20_000);
    root.writeConf("single", "[task#0]\ncommand = /bin/true\nschedule = * * * * * *\n");
    const recs = await waitRecords(root, `${times} runs`, (rs) => rs.filter((r) => r.status === "succeeded").length >= times + 1, 30_000, d);
    // The first slot may be the reload's own second: keep the `times` that follow it.
    const lags = recs.filter((r) => r.status === "succeeded").slice(1, times + 1).map((r) => r.startedAt - r.scheduledFor!);
    return { lags };
  } finally {
    await d.stop().catch(() => d.stop("SIGKILL"));
    root.cleanup();
  }
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");

async function main(): Promise<void> {
  console.log(`daemon burst benchmark: ${TASKS} tasks × /bin/true due at one second; ${availableParallelism()} CPUs, node ${process.version}, CLK_TCK ${1000 / TICK_MS}\n`);
  const results: Array<BurstResult & { concurrency: number }> = [];
  const cases: Array<[string, number | null]> = [[`--max-parallel ${TASKS}`, TASKS], [`--max-parallel ${PARALLEL}`, PARALLEL], [`default (${DEFAULT_PARALLEL})`, null]];
  for (const [label, maxParallel] of cases) {
    const concurrency = Math.min(maxParallel ?? DEFAULT_PARALLEL, TASKS);
    for (const r of await burst(label, maxParallel)) results.push({ ...r, concurrency });
  }
  // The baselines at each case's concurrency (the burst size when the limit admits it).
  const concurrencies = [...new Set(results.map((r) => r.concurrency))];
  const bare = new Map(concurrencies.map((c) => [c, spawnBaseline(TASKS, c)]));
  const launcherAlone = new Map<number, Baseline | null>();
  for (const c of concurrencies) launcherAlone.set(c, await nativeSpawnBaseline(TASKS, c));
  const node = nodeStart(10);
  const single = await singleTask(10);

  const rows: string[][] = [["case", "runs", "lag p50 ms", "lag p99 ms", "lag max ms", "wall ms", "daemon CPU ms/run", "of which sys", "task CPU ms/run", "target", "statuses"]];
  for (const r of results) {
    rows.push([r.label, String(r.runs), fmt(r.p50, 0), fmt(r.p99, 0), fmt(r.max, 0), fmt(r.wallMs, 0), fmt(r.cpuMsPerRun, 2), `${fmt(r.sysShare * 100, 0)} %`, fmt(r.taskCpuMsPerRun, 2), `p99 ≤ 1000 ${r.p99 <= 1000 ? "ok" : "MISSED"}; CPU ≤ 5 ${r.cpuMsPerRun <= 5 ? "ok" : "MISSED"}`, r.statuses]);
  }
  const baselineRow = (label: string, b: Baseline, childCpu = "") =>
    rows.push([label, String(TASKS), fmt(quantile(b.starts, 0.5), 0), fmt(quantile(b.starts, 0.99), 0), fmt(b.starts[b.starts.length - 1]!, 0), fmt(b.wallMs, 0), fmt(b.cpuMsPerSpawn, 2), "", childCpu, "", ""]);
  for (const [c, b] of bare) baselineRow(`bare node spawn ×${TASKS}, conc ${c}`, b, fmt(b.childCpuMsPerSpawn, 2));
  for (const [c, b] of launcherAlone) if (b !== null) baselineRow(`vfork launcher alone ×${TASKS}, conc ${c}`, b);
  rows.push(["node -e 0 (CLI re-spawn floor)", "10", "", "", "", fmt(node.wallMs, 0) + " /start", fmt(node.cpuMs, 1), "", "", "", ""]);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join("  "));
  console.log("(baselines: lag = each spawn's offset from the loop's start, as if all were due then)");

  const sorted = [...single.lags].sort((a, b) => a - b);
  console.log(`\nsingle due task, ${single.lags.length} slots: lag median ${fmt(quantile(sorted, 0.5), 0)} ms, max ${fmt(sorted[sorted.length - 1]!, 0)} ms (target ≤ 50 ms: ${sorted[sorted.length - 1]! <= 50 ? "ok" : "MISSED"}); all: ${single.lags.join(", ")}`);

  console.log("\nratios:");
  for (const r of results) {
    const base = bare.get(r.concurrency)!;
    const native = launcherAlone.get(r.concurrency) ?? null;
    const launcher = native === null ? "" : `, ${fmt(r.cpuMsPerRun / native.cpuMsPerSpawn, 1)} × the vfork launcher alone`;
    console.log(`  ${r.label}: daemon CPU per run = ${fmt(r.cpuMsPerRun / base.cpuMsPerSpawn, 1)} × a bare child_process spawn${launcher}, ${fmt((r.cpuMsPerRun / node.cpuMs) * 100, 1)} % of a node start`);
    const launcherLag = native === null ? "" : `, ${fmt(r.p99 / quantile(native.starts, 0.99), 1)} × the vfork launcher alone`;
    console.log(`    lag p99 = ${fmt(r.p99 / quantile(base.starts, 0.99), 2)} × a bare child_process loop at the same concurrency${launcherLag}; wall = ${fmt(r.wallMs / base.wallMs, 2)} × that loop`);
  }
}

/** The same burst with and without run cgroups, alternating (the machine's load drifts). */
async function compareCgroups(): Promise<void> {
  console.log(`run cgroups cost: ${TASKS} tasks × /bin/true due at one second, --max-parallel ${PARALLEL}, ${ROUNDS} rounds; ${availableParallelism()} CPUs, node ${process.version}\n`);
  const rows: string[][] = [["round", "cgroups", "burst", "wall ms", "daemon CPU ms/run", "task CPU ms/run", "lag p99 ms", "statuses"]];
  const seconds: Record<"on" | "off", [number, number, number][]> = { on: [], off: [] };
  for (let round = 1; round <= ROUNDS; round++) {
    for (const mode of round % 2 === 1 ? (["off", "on"] as const) : (["on", "off"] as const)) {
      const results = await burst(`cgroups ${mode}`, PARALLEL, mode === "off" ? { SVCMGR_RUN_CGROUPS: "0" } : {});
      // The second burst of each daemon: the recurring cost (the first also creates the tasks' files).
      const r = results[1]!;
      seconds[mode].push([r.wallMs, r.cpuMsPerRun, r.p99]);
      for (const [i, x] of results.entries()) rows.push([String(round), mode, i === 0 ? "first" : "again", fmt(x.wallMs, 0), fmt(x.cpuMsPerRun, 2), fmt(x.taskCpuMsPerRun, 2), fmt(x.p99, 0), x.statuses]);
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i]!)).join("  "));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  const ratio = (i: number, of: (xs: number[]) => number) => fmt(of(seconds.on.map((r) => r[i]!)) / of(seconds.off.map((r) => r[i]!)), 2);
  for (const [name, of] of [["means", mean], ["medians", median]] as const) {
    console.log(`${name === "means" ? "\n" : ""}with / without cgroups (${name} of the second bursts): wall ${ratio(0, of)}×, daemon CPU per run ${ratio(1, of)}×, lag p99 ${ratio(2, of)}× (target ≤ 1.3×)`);
  }
}

await (COMPARE_CGROUPS ? compareCgroups() : main());
