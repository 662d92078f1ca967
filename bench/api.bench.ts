/**
 * The daemon's HTTP API, after `npm run build`:
 *   node --import tsx bench/api.bench.ts [--seconds 5] [--clients 8] [--calls 30] [--tasks 1000] [--skip-burst]
 *
 * 1. `GET /api/v1/runs?limit=20` with keep-alive on the daemon's socket (root: no key) and on
 *    its loopback TCP port (with a key), `--clients` connections for `--seconds`: requests/s, as a
 *    ratio to a bare `node:http` server answering the same JSON bytes on a Unix socket and on
 *    TCP, measured in the same run (target ≥ 0.5×), each server in its own process; and each
 *    server's CPU time per request (steadier than requests/s on a busy machine). The history holds 10,000 records.
 * 2. `POST …/runs` with `wait` on a task running `/bin/true`: median end-to-end latency of
 *    `--calls` calls, against `svcmgr -s db run --rid task#0` started from a shell (target: faster).
 * 3. The 1,000-task burst (every task `/bin/true`, all due at one second, the default node-wide
 *    limit): start lag p99 and daemon CPU per run, with a client polling `/api/v1/runs` at 50
 *    requests/s and without it, alternating on one daemon (target: within 10 %).
 */
import { spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { request, Agent } from "node:http";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { newKey } from "../src/api/keys.js";
import { writeKeyFile } from "../src/platform/api-key-file.js";
import { readProcStat } from "../src/platform/proc-stat.js";
import { openHistory } from "../src/platform/sqlite/store.js";
import { CLI, makeRoot, type TestRoot } from "../test/e2e/helpers.js";
import { Daemon, waitRecords } from "../test/e2e/daemon-harness.js";
import { arg } from "./args.js";

const SECONDS = Number(arg("seconds", "5"));
const CLIENTS = Number(arg("clients", "8"));
const CALLS = Number(arg("calls", "30"));
const TASKS = Number(arg("tasks", "1000"));
const TICK_MS = 1000 / Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : "n/a");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const quantile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;

type Where = { socketPath: string } | { host: string; port: number };

/** `clients` keep-alive connections sending GET `path` back to back for `seconds`: requests/s. */
async function hammer(where: Where, path: string, headers: Record<string, string>, seconds: number, clients: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: clients });
  const end = performance.now() + seconds * 1000;
  let done = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const r = request({ ...where, path, headers, agent }, (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
      });
      r.on("error", reject);
      r.end();
    });
  const client = async () => {
    while (performance.now() < end) {
      await one();
      done++;
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: clients }, client));
  agent.destroy();
  return done / ((performance.now() - t0) / 1000);
}

/**
 * A bare node:http server answering `body` on a Unix socket and on loopback TCP, in its own
 * process as the daemon is (in the bench's process it would share the clients' thread).
 */
async function bareServer(dir: string, body: string): Promise<{ socket: string; port: number; pid: number; close(): void }> {
  const bodyFile = join(dir, "bare-body.json");
  writeFileSync(bodyFile, body);
  const socket = join(dir, "bare.sock");
  const script = `
    const { createServer } = require("node:http");
    const body = require("node:fs").readFileSync(${JSON.stringify(bodyFile)});
    const handler = (_req, res) => { res.writeHead(200, { "content-type": "application/json", "content-length": body.length }); res.end(body); };
    createServer(handler).listen(${JSON.stringify(socket)}, () => {
      const tcp = createServer(handler).listen(0, "127.0.0.1", () => process.stdout.write(tcp.address().port + "\\n"));
    });`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.setEncoding("utf8").once("data", (line: string) => resolve(Number(line.trim())));
    child.once("exit", (code) => reject(new Error(`the bare server exited (${code})`)));
  });
  return { socket, port, pid: child.pid!, close: () => void child.kill() };
}

/** CPU time of a process so far, in ms (utime + stime from /proc). */
function cpuMs(pid: number): number {
  const stat = readProcStat(pid);
  if (stat === null) throw new Error(`no /proc/${pid}/stat`);
  return (Number(stat.fields[13]) + Number(stat.fields[14])) * TICK_MS;
}

/** Requests/s over `seconds`, and the server's CPU per request (ms): CPU is the steadier figure on a busy machine. */
async function measure(pid: number, where: Where, path: string, headers: Record<string, string>): Promise<{ rps: number; cpuPerRequest: number }> {
  const cpu0 = cpuMs(pid);
  const rps = await hammer(where, path, headers, SECONDS, CLIENTS);
  return { rps, cpuPerRequest: (cpuMs(pid) - cpu0) / (rps * SECONDS) };
}

function fillHistory(root: TestRoot, n: number): void {
  const h = openHistory(root.path("var", "history.sqlite"));
  const t0 = Date.now() - n * 1000;
  for (let i = 0; i < n; i++) h.record({ svc: `svc${i % 10}`, rid: `task#${i % 7}`, trigger: "schedule", scheduledFor: t0 + i * 1000, startedAt: t0 + i * 1000, endedAt: t0 + i * 1000 + 20, status: "succeeded", exitCode: 0 });
  h.close();
}

function post(socketPath: string, path: string, body: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const r = request({ socketPath, path, method: "POST", headers: { "content-type": "application/json" } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    r.on("error", reject);
    r.end(text);
  });
}

async function throughputAndLatency(): Promise<void> {
  const root = makeRoot();
  try {
    root.writeConf("db", "[task#0]\ncommand = /bin/true\n");
    root.path("var");
    fillHistory(root, 10_000);
    const k = newKey();
    writeKeyFile(root.path("var", "apikeys.json"), { keys: [{ id: k.id, name: "bench", hash: k.hash, scope: "read", services: [], createdAt: Date.now(), expiresAt: null, revokedAt: null, createdBy: "bench" }] });
    const d = Daemon.start(root, ["--listen", "127.0.0.1:0"], process.env.BENCH_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROF}`] : []);
    try {
      const e = await d.waitEvent("api listening", (ev) => ev.event === "api-listening", 20_000);
      const port = Number(/:(\d+)$/.exec((e.addresses as string[]).find((a) => a.startsWith("http://"))!)![1]);
      const socketPath = root.path("var", "daemon.sock");
      const path = "/api/v1/runs?limit=20";
      const body = await new Promise<string>((resolve) => request({ socketPath, path }, (res) => { let t = ""; res.setEncoding("utf8").on("data", (c: string) => (t += c)).on("end", () => resolve(t)); }).end());
      const bare = await bareServer(root.dir, body);
      await hammer({ socketPath }, path, {}, 1, CLIENTS); // warm-up
      const rows: [string, { rps: number; cpuPerRequest: number }][] = [];
      for (let round = 0; round < 2; round++) {
        rows.push(["daemon, socket, health", await measure(d.pid, { socketPath }, "/api/v1/health", {})]);
        rows.push(["daemon, socket (root)", await measure(d.pid, { socketPath }, path, {})]);
        rows.push(["bare node:http, socket", await measure(bare.pid, { socketPath: bare.socket }, path, {})]);
        rows.push(["daemon, TCP (key)", await measure(d.pid, { host: "127.0.0.1", port }, path, { authorization: `Bearer ${k.text}` })]);
        rows.push(["bare node:http, TCP", await measure(bare.pid, { host: "127.0.0.1", port: bare.port }, path, {})]);
      }
      bare.close();
      const avg = (label: string, f: (m: { rps: number; cpuPerRequest: number }) => number) => rows.filter(([l]) => l === label).reduce((s, [, m]) => s + f(m), 0) / 2;
      const rps = (label: string) => avg(label, (m) => m.rps);
      const cpu = (label: string) => avg(label, (m) => m.cpuPerRequest);
      console.log(`1. GET ${path} (${Buffer.byteLength(body)} bytes), ${CLIENTS} keep-alive clients, ${SECONDS} s × 2 rounds, each server in its own process:`);
      for (const label of ["daemon, socket, health", "daemon, socket (root)", "bare node:http, socket", "daemon, TCP (key)", "bare node:http, TCP"]) console.log(`   ${label.padEnd(24)} ${fmt(rps(label), 0).padStart(6)} req/s, server CPU ${fmt(cpu(label) * 1000, 0)} µs/request`);
      console.log(`   ratio socket: ${fmt(rps("daemon, socket (root)") / rps("bare node:http, socket"), 2)} × bare in requests/s (target ≥ 0.5); CPU per request ${fmt(cpu("daemon, socket (root)") / cpu("bare node:http, socket"), 2)} × bare`);
      console.log(`   ratio TCP:    ${fmt(rps("daemon, TCP (key)") / rps("bare node:http, TCP"), 2)} × bare in requests/s (target ≥ 0.5); CPU per request ${fmt(cpu("daemon, TCP (key)") / cpu("bare node:http, TCP"), 2)} × bare`);

      const api: number[] = [];
      const cli: number[] = [];
      for (let i = 0; i < CALLS; i++) {
        let t0 = performance.now();
        const status = await post(socketPath, "/api/v1/services/db/runs", { rid: "task#0", wait: "30s" });
        if (status !== 200) throw new Error(`POST runs: HTTP ${status}`);
        api.push(performance.now() - t0);
        t0 = performance.now();
        const r = spawnSync(process.execPath, [CLI, "--root", root.dir, "-s", "db", "run", "--rid", "task#0"], { encoding: "utf8" });
        if (r.status !== 0) throw new Error(`svcmgr run: ${r.stderr}`);
        cli.push(performance.now() - t0);
      }
      console.log(`\n2. run /bin/true and wait for its record, ${CALLS} calls each, alternating:`);
      console.log(`   POST …/runs {wait}:   median ${fmt(median(api), 1)} ms`);
      console.log(`   svcmgr -s db run:      median ${fmt(median(cli), 1)} ms`);
      console.log(`   ratio: ${fmt(median(api) / median(cli), 2)} × the CLI (target < 1)`);
    } finally {
      await d.stop().catch(() => d.stop("SIGKILL"));
    }
  } finally {
    root.cleanup();
  }
}

const PERIOD_MS = 20_000;

/** One daemon, bursts of TASKS every PERIOD_MS; bursts 2..5 alternate without / with a 50 req/s poller. */
async function burstWithPoller(): Promise<void> {
  const root = makeRoot();
  const d = Daemon.start(root, ["--grace", "5s", "--keep-runs", "100000"]);
  try {
    await d.waitEvent("daemon started", (e) => e.event === "daemon-started", 20_000);
    if (Date.now() % PERIOD_MS > PERIOD_MS - 7000) await sleep(PERIOD_MS - (Date.now() % PERIOD_MS) + 100);
    const first = Math.ceil(Date.now() / PERIOD_MS) * PERIOD_MS;
    const perService = Math.ceil(TASKS / 10);
    for (let s = 0; s < 10; s++) root.writeConf(`burst${s}`, Array.from({ length: perService }, (_, t) => `[task#${t}]\ncommand = /bin/true\nschedule = */${PERIOD_MS / 1000} * * * * *\n`).join("\n"));
    await d.waitEvent("every task planned", () => new Set(d.find("planned").map((e) => `${e.svc} ${e.rid}`)).size >= TASKS, 30_000);
    const socketPath = root.path("var", "daemon.sock");
    const results: { poll: boolean; p99: number; cpuMsPerRun: number; polls: number }[] = [];
    for (let i = 0; i < 5; i++) {
      const slot = first + i * PERIOD_MS;
      const poll = i % 2 === 0 && i > 0;
      await sleep(slot - 1000 - Date.now());
      let polling = poll;
      let polls = 0;
      const poller = (async () => {
        while (polling) {
          const t = performance.now();
          await new Promise<void>((r) => request({ socketPath, path: "/api/v1/runs?limit=20" }, (res) => res.resume().on("end", () => r())).end());
          polls++;
          await sleep(Math.max(0, 20 - (performance.now() - t)));
        }
      })();
      const cpu0 = d.cpuSplit();
      const recs = await waitRecords(root, `${TASKS} final records`, (rs) => {
        const mine = rs.filter((r) => r.scheduledFor === slot);
        return mine.length >= TASKS && mine.every((r) => r.status !== "running");
      }, 120_000, d);
      const cpu1 = d.cpuSplit();
      polling = false;
      await poller;
      if (i === 0) continue; // the cold first burst creates every task's files
      const mine = recs.filter((r) => r.scheduledFor === slot);
      const lags = mine.map((r) => r.startedAt - slot).sort((a, b) => a - b);
      results.push({ poll, p99: quantile(lags, 0.99), cpuMsPerRun: ((cpu1.user + cpu1.system - cpu0.user - cpu0.system) * TICK_MS) / mine.length, polls });
    }
    const avg = (poll: boolean, f: (r: (typeof results)[number]) => number) => results.filter((r) => r.poll === poll).reduce((s, r) => s + f(r), 0) / results.filter((r) => r.poll === poll).length;
    console.log(`\n3. ${TASKS}-task burst, default node-wide limit, 2 bursts without and 2 with a client polling /api/v1/runs at 50 req/s (alternating):`);
    for (const r of results) console.log(`   ${r.poll ? `with poller (${r.polls} requests)` : "without poller"}`.padEnd(40) + `lag p99 ${fmt(r.p99, 0)} ms, daemon CPU ${fmt(r.cpuMsPerRun, 2)} ms/run`);
    console.log(`   ratio with/without: lag p99 ${fmt(avg(true, (r) => r.p99) / avg(false, (r) => r.p99), 2)}, daemon CPU per run ${fmt(avg(true, (r) => r.cpuMsPerRun) / avg(false, (r) => r.cpuMsPerRun), 2)} (target ≤ 1.10; the poller's own requests are in the daemon's CPU)`);
  } finally {
    await d.stop("SIGTERM", 30_000).catch(() => d.stop("SIGKILL"));
    root.cleanup();
  }
}

console.log(`API benchmark: ${availableParallelism()} CPUs, node ${process.version}\n`);
await throughputAndLatency();
if (!process.argv.includes("--skip-burst")) await burstWithPoller();
