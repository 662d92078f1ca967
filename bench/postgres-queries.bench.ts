/**
 * The PostgreSQL history's queries at scale, after `npm run build`:
 *   node --import tsx bench/postgres-queries.bench.ts [--rows 10000000] [--url URL] [--keep]
 *
 * A fresh database on the server of --url (default SVCMGR_TEST_PG_URL) is filled server-side
 * with --rows records (INSERT … SELECT generate_series: 50 services × 20 tasks, 3 nodes, 90 %
 * succeeded, 4 % failed, 1 % timed_out, 3 % skipped, 2 % missed, one record a second per task);
 * the fill and ANALYZE are timed. Then each query `print history` and the API make is timed
 * (median and p95 of 20, after 3 warm-ups) through the store, against the 50 ms target, and
 * `print history` itself (the CLI, a process each time) against the same command on an empty
 * embedded history measured in the same run (the ratio is what the store adds). The database is
 * dropped at the end unless --keep.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import pg from "pg";
import type { HistoryQuery } from "../src/core/history-store.js";
import { openPostgresHistory } from "../src/platform/postgres/store.js";
import { buildQuery } from "../src/platform/postgres/sql.js";
import { CLI, makeRoot } from "../test/e2e/helpers.js";
import { arg } from "./args.js";

const ROWS = Number(arg("rows", "10000000"));
const BASE_URL = arg("url", process.env.SVCMGR_TEST_PG_URL ?? "");
const KEEP = process.argv.includes("--keep");
const TARGET_MS = 50;
const TASKS_PER_SVC = 20;
const SERVICES = 50;
const NOW = Date.parse("2026-12-01T00:00:00Z");

if (BASE_URL === "") {
  console.error("needs a PostgreSQL server: --url URL or SVCMGR_TEST_PG_URL");
  process.exit(2);
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

/** Records g = 1…ROWS, the newest at NOW: task (g mod 1000), one second apart, statuses by g mod 100. */
const FILL = `
INSERT INTO runs (svc, rid, trigger, scheduled_for, attempt, started_at, ended_at, duration_ms, exit_code, status, reason, "user", initiated_by, command, output_head, node)
SELECT 'svc' || (g % ${SERVICES}), 'task#' || ((g / ${SERVICES}) % ${TASKS_PER_SVC}), 'schedule', t, 1, t + 3, t + 3 + (g % 997), (g % 997),
  CASE WHEN g % 100 < 95 THEN 0 ELSE 1 END, s, CASE WHEN s IN ('skipped', 'missed') THEN 'bench' END, 'root', 'root', '/bin/true', 'ok', 'node' || (g % 3)
FROM (SELECT g, ${NOW}::bigint - ($1::bigint - g) * 1000 AS t,
  CASE WHEN g % 100 < 90 THEN 'succeeded' WHEN g % 100 < 94 THEN 'failed' WHEN g % 100 < 95 THEN 'timed_out' WHEN g % 100 < 98 THEN 'skipped' ELSE 'missed' END AS s
  FROM generate_series(1, $1::bigint) AS g) AS x`;

function stats(ms: number[]): { median: number; p95: number } {
  const s = [...ms].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, p95: s[Math.min(s.length - 1, Math.ceil(0.95 * s.length) - 1)]! };
}

async function timed(times: number, work: () => Promise<unknown> | unknown): Promise<{ median: number; p95: number }> {
  for (let i = 0; i < 3; i++) await work();
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    await work();
    ms.push(performance.now() - t0);
  }
  return stats(ms);
}

const QUERIES: Array<[string, HistoryQuery]> = [
  ["print history -s svc7 --limit 20", { svc: "svc7", limit: 20 }],
  ["newest 20, every service (API /runs)", { limit: 20 }],
  ["-s svc7 --status failed,timed_out --since 7d --limit 20", { svc: "svc7", status: ["failed", "timed_out"], since: NOW - 7 * 86_400_000, limit: 20 }],
  ["--status failed,timed_out --limit 20, every service", { status: ["failed", "timed_out"], limit: 20 }],
  ["-s svc7 --status aborted,interrupted --limit 20 (none recorded)", { svc: "svc7", status: ["aborted", "interrupted"], limit: 20 }],
  ["-s svc7 --rid task#3 --status failed --limit 20", { svc: "svc7", rid: "task#3", status: "failed", limit: 20 }],
  ["-s svc7 --status skipped,missed --limit 20 (page 2: before)", { svc: "svc7", status: ["skipped", "missed"], limit: 20, before: { startedAt: NOW - 3_600_000, id: ROWS } }],
];

async function main(): Promise<void> {
  const name = `svcmgr_bench_${randomBytes(4).toString("hex")}`;
  await admin(`CREATE DATABASE ${name}`);
  const u = new URL(BASE_URL);
  u.pathname = `/${name}`;
  const url = u.toString();
  try {
    const store = await openPostgresHistory(url);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      console.log(`filling ${ROWS.toLocaleString("en")} records server-side (INSERT … SELECT generate_series) …`);
      // The secondary indexes are dropped for the fill and made again from their own definitions after it (faster than maintaining them row by row).
      const indexes = (await c.query(`SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'runs' AND indexname <> 'runs_pkey'`)).rows as Array<{ indexname: string; indexdef: string }>;
      for (const i of indexes) await c.query(`DROP INDEX ${i.indexname}`);
      let t0 = performance.now();
      await c.query(FILL, [ROWS]);
      const insertS = (performance.now() - t0) / 1000;
      const t1 = performance.now();
      for (const i of indexes) await c.query(i.indexdef);
      const indexS = (performance.now() - t1) / 1000;
      const fillS = (performance.now() - t0) / 1000;
      console.log(`insert ${insertS.toFixed(1)} s, ${indexes.length} indexes made again in ${indexS.toFixed(1)} s`);
      t0 = performance.now();
      await c.query("ANALYZE runs");
      const analyzeS = (performance.now() - t0) / 1000;
      const size = (await c.query(`SELECT pg_size_pretty(pg_total_relation_size('runs')) AS s`)).rows[0].s as string;
      console.log(`fill: ${fillS.toFixed(1)} s (${Math.round(ROWS / fillS).toLocaleString("en")} rows/s), ANALYZE ${analyzeS.toFixed(1)} s, table with indexes ${size}\n`);
      console.log(`${"query (through the store)".padEnd(62)} ${"median".padStart(8)} ${"p95".padStart(8)}  vs ${TARGET_MS} ms  plan`);
      for (const [label, q] of QUERIES) {
        const s = await timed(20, () => store.query(q));
        const { text, params } = buildQuery(q);
        const plan = (await c.query(`EXPLAIN ${text}`, params)).rows.map((r) => r["QUERY PLAN"] as string);
        const indexes = [...new Set(plan.join(" ").match(/runs_\w+/g) ?? [])].join(", ") || "seq scan";
        console.log(`${label.padEnd(62)} ${s.median.toFixed(2).padStart(6)} ms ${s.p95.toFixed(2).padStart(6)} ms  ${(s.p95 / TARGET_MS).toFixed(2)}×  ${indexes}`);
      }
      const counts = await timed(5, () => store.countByStatus({ svc: "svc7", since: NOW - 86_400_000 }));
      console.log(`${"countByStatus -s svc7 --since 1d".padEnd(62)} ${counts.median.toFixed(2).padStart(6)} ms ${counts.p95.toFixed(2).padStart(6)} ms`);
    } finally {
      await c.end();
      await store.close();
    }
    cliComparison(url);
  } finally {
    if (!KEEP) await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    else console.log(`kept database ${name}`);
  }
}

/** `print history` as a user runs it: the CLI against this store, and against an empty embedded history (the baseline). */
function cliComparison(url: string): void {
  const root = makeRoot();
  try {
    root.writeConf("svc7", "[task#3]\ncommand = /bin/true\n");
    const run = (args: string[]) => () => void execFileSync(process.execPath, [CLI, "--root", root.dir, ...args], { stdio: "ignore" });
    console.log(`\n${"print history (the CLI, a process each)".padEnd(62)} ${"median".padStart(8)} ${"p95".padStart(8)}  vs embedded, empty`);
    for (const extra of [["--limit", "20"], ["--status", "failed,timed_out", "--since", "7d", "--limit", "20"]]) {
      const args = ["-s", "svc7", "print", "history", ...extra];
      const base = syncTimed(10, run(args));
      const s = syncTimed(10, run(["--history", url, ...args]));
      console.log(`${extra.join(" ").padEnd(62)} ${s.median.toFixed(1).padStart(6)} ms ${s.p95.toFixed(1).padStart(6)} ms  ${(s.median / base.median).toFixed(2)}× (${base.median.toFixed(1)} ms)`);
    }
  } finally {
    root.cleanup();
  }
}

function syncTimed(times: number, work: () => void): { median: number; p95: number } {
  work();
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    work();
    ms.push(performance.now() - t0);
  }
  return stats(ms);
}

await main();
