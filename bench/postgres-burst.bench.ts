/**
 * The daemon's 1,000-task burst with the PostgreSQL history, against the embedded SQLite one
 * measured in the same run, after `npm run build`:
 *   node --import tsx bench/postgres-burst.bench.ts [--tasks 1000] [--parallel N] [--url URL]
 *
 * For each store, one daemon (--max-parallel as high as the burst unless --parallel: what the
 * daemon and its store cost, not the node-wide limit), 1,000 tasks running `/bin/true` all due
 * at the same second, twice (the first burst creates the tasks' files; the second is a
 * recurring burst). Start lag (`startedAt − scheduledFor`) p50 / p99 / max and daemon CPU per
 * run (utime + stime, all threads, from just before the slot to the last final record). The
 * PostgreSQL server is the one of --url (default SVCMGR_TEST_PG_URL), a fresh database each run.
 * The ratios PostgreSQL / SQLite are the figures to hold against the 1.5× target.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { makeRoot, type TestRoot } from "../test/e2e/helpers.js";
import { Daemon } from "../test/e2e/daemon-harness.js";
import { openHistory } from "../src/platform/sqlite/store.js";
import { openPostgresHistory } from "../src/platform/postgres/store.js";
import type { RunRecord } from "../src/core/run-record.js";
import { arg } from "./args.js";

const TASKS = Number(arg("tasks", "1000"));
const PARALLEL = Number(arg("parallel", String(TASKS)));
const BASE_URL = arg("url", process.env.SVCMGR_TEST_PG_URL ?? "");
const SERVICES = 10;
const PERIOD_MS = 20_000;
const TICK_MS = 1000 / Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

if (BASE_URL === "") {
  console.error("needs a PostgreSQL server: --url URL or SVCMGR_TEST_PG_URL");
  process.exit(2);
}

interface Result {
  readonly label: string;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly cpuMsPerRun: number;
  readonly runs: number;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function writeServices(root: TestRoot): void {
  const per = Math.ceil(TASKS / SERVICES);
  for (let s = 0; s < SERVICES; s++) {
    const lines: string[] = [];
    for (let t = 0; t < per && s * per + t < TASKS; t++) lines.push(`[task#${t}]\ncommand = /bin/true\nschedule = */${PERIOD_MS / 1000} * * * * *\n`);
    root.writeConf(`burst${s}`, lines.join("\n"));
  }
}

/** The slot's records, read from the store the daemon writes to. */
type ReadSlot = (slot: number) => Promise<RunRecord[]>;

async function burst(store: string, url: string | null): Promise<Result[]> {
  const root = makeRoot();
  const read: ReadSlot = url === null
    ? async (slot) => {
        const h = openHistory(root.path("var", "history.sqlite"));
        try {
          return h.query({}).filter((r) => r.scheduledFor === slot);
        } finally {
          h.close();
        }
      }
    : async (slot) => {
        const h = await openPostgresHistory(url);
        try {
          return (await h.query({ since: slot - 60_000 })).filter((r) => r.scheduledFor === slot);
        } finally {
          await h.close();
        }
      };
  try {
    const env = url === null ? {} : { SVCMGR_HISTORY: url };
    const d = Daemon.start(root, ["--grace", "5s", "--keep-runs", "100000", "--max-parallel", String(PARALLEL)], [], env);
    try {
      await d.waitEvent("daemon started", (e) => e.event === "daemon-started", 30_000);
      if (Date.now() % PERIOD_MS > PERIOD_MS - 8000) await sleep(PERIOD_MS - (Date.now() % PERIOD_MS) + 100);
      const first = Math.ceil(Date.now() / PERIOD_MS) * PERIOD_MS;
      writeServices(root);
      await d.waitEvent("every task planned", () => new Set(d.find("planned").map((e) => `${e.svc} ${e.rid}`)).size >= TASKS, 30_000);
      const out: Result[] = [];
      for (const [i, slot] of [first, first + PERIOD_MS].entries()) {
        const wait = slot - 500 - Date.now();
        if (wait < 0) throw new Error(`${store} burst ${i + 1}: the slot passed before it could be measured`);
        await sleep(wait);
        const cpu0 = d.cpuSplit();
        let recs: RunRecord[] = [];
        const deadline = Date.now() + 120_000;
        for (;;) {
          recs = await read(slot);
          if (recs.length >= TASKS && recs.every((r) => r.status !== "running")) break;
          if (Date.now() > deadline) throw new Error(`${store} burst ${i + 1}: ${recs.length} records after 120 s\n${d.tail()}`);
          await sleep(200);
        }
        const cpu1 = d.cpuSplit();
        const lags = recs.map((r) => r.startedAt - r.scheduledFor!).sort((a, b) => a - b);
        const ticks = cpu1.user + cpu1.system - cpu0.user - cpu0.system;
        out.push({ label: `${store}, ${i === 0 ? "first burst" : "same tasks again"}`, p50: quantile(lags, 0.5), p99: quantile(lags, 0.99), max: lags[lags.length - 1]!, cpuMsPerRun: (ticks * TICK_MS) / recs.length, runs: recs.length });
      }
      return out;
    } finally {
      await d.stop("SIGTERM", 30_000).catch(() => d.stop("SIGKILL"));
    }
  } finally {
    root.cleanup();
  }
}

async function admin(text: string): Promise<void> {
  const c = new pg.Client({ connectionString: BASE_URL });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

async function main(): Promise<void> {
  const name = `svcmgr_burst_${randomBytes(4).toString("hex")}`;
  await admin(`CREATE DATABASE ${name}`);
  const u = new URL(BASE_URL);
  u.pathname = `/${name}`;
  try {
    const sqlite = await burst("sqlite", null);
    const postgres = await burst("postgresql", u.toString());
    console.log(`${TASKS} tasks due at once, --max-parallel ${PARALLEL}\n`);
    console.log(`${"".padEnd(36)} ${"runs".padStart(5)} ${"lag p50".padStart(9)} ${"p99".padStart(9)} ${"max".padStart(9)} ${"CPU/run".padStart(10)}`);
    for (const r of [...sqlite, ...postgres]) {
      console.log(`${r.label.padEnd(36)} ${String(r.runs).padStart(5)} ${r.p50.toFixed(0).padStart(6)} ms ${r.p99.toFixed(0).padStart(6)} ms ${r.max.toFixed(0).padStart(6)} ms ${r.cpuMsPerRun.toFixed(2).padStart(7)} ms`);
    }
    console.log("\nPostgreSQL / SQLite (target ≤ 1.5×):");
    for (const i of [0, 1]) {
      const [s, p] = [sqlite[i]!, postgres[i]!];
      console.log(`  ${i === 0 ? "first burst     " : "same tasks again"}  start lag p99 ${(p.p99 / s.p99).toFixed(2)}×   daemon CPU per run ${(p.cpuMsPerRun / s.cpuMsPerRun).toFixed(2)}×`);
    }
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

await main();
