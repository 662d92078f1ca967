// Cost of recording runs in the history store, against a bare INSERT in the same database.
// Run: node --import tsx bench/history.bench.ts [runs]
import { createRequire } from "node:module";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { openHistory, type SqliteHistory as HistoryStore } from "../src/platform/sqlite/store.js";

const RUNS = Number(process.argv[2] ?? 10_000);
const Database = createRequire(import.meta.url)("better-sqlite3") as typeof BetterSqlite3;

interface Cost {
  wallUs: number;
  cpuUs: number;
}

/** Wall and CPU microseconds per iteration of `fn(i)` for i in [0, n). */
function measure(n: number, fn: (i: number) => void): Cost {
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn(i);
  const wall = Number(process.hrtime.bigint() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  return { wallUs: wall / n, cpuUs: (cpu.user + cpu.system) / n };
}

/** The baseline: one autocommitted INSERT into an index-free table, same file and pragmas. */
function bareInsert(file: string, base: number): (i: number) => void {
  const db = new Database(file, { timeout: 10_000 });
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec("CREATE TABLE IF NOT EXISTS bare (svc TEXT, rid TEXT, started_at INTEGER, status TEXT)");
  const ins = db.prepare("INSERT INTO bare (svc, rid, started_at, status) VALUES (?, ?, ?, ?)");
  return (i) => void ins.run("db", "task#0", base + i, "succeeded");
}

/** One scheduled run's writes: begin, (log file and pid), finish with a small excerpt. */
function lifecycle(store: HistoryStore, base: number, full: boolean): (i: number) => void {
  const excerpt = { outputHead: "hello\n".repeat(20), outputTail: "", outputBytes: 120, stdoutBytes: 120, stderrBytes: 0, truncated: false };
  return (i) => {
    const slot = base + i * 60_000;
    const rid = `task#${i % 50}`;
    const id = store.begin({ svc: "db", rid, trigger: "schedule", scheduledFor: slot, startedAt: slot, command: "/usr/bin/backup --all", ownerPid: 1, ownerStartTime: 2 })!;
    if (full) {
      store.setLogFile(id, `/var/log/svcmgr/runs/db/${rid}/${id}.log`);
      store.setPid(id, 10_000 + i, 123_456);
    }
    store.finish(id, { status: "succeeded", endedAt: slot + 1000, exitCode: 0, ...excerpt });
  };
}

function row(name: string, c: Cost, base?: Cost): string {
  const ratio = base === undefined ? "" : `  ${(c.wallUs / base.wallUs).toFixed(2)}x bare`;
  return `${name.padEnd(44)} ${c.wallUs.toFixed(1).padStart(7)} µs wall ${c.cpuUs.toFixed(1).padStart(7)} µs cpu${ratio}`;
}

const dir = mkdtempSync(join(tmpdir(), "svcmgr-bench-"));
try {
  const file = join(dir, "history.sqlite");
  const store = openHistory(file);
  measure(1000, lifecycle(store, 0, false)); // warm up
  measure(1000, bareInsert(file, 0));
  const bare = measure(RUNS, bareInsert(file, 1e9));
  const bf = measure(RUNS, lifecycle(store, 1e12, false));
  const full = measure(RUNS, lifecycle(store, 2e12, true));
  const burst = measure(1000, lifecycle(store, 3e12, true));
  const total = store.query({ limit: 1e9 }).length;
  const q20 = measure(1000, (i) => store.query({ svc: "db", rid: `task#${i % 50}`, limit: 20 }));
  const lastSched = measure(1000, (i) => store.lastScheduled("db", `task#${i % 50}`));
  console.log(`history store, ${RUNS} runs, WAL + synchronous=NORMAL, file in ${tmpdir()}`);
  console.log(row("bare INSERT (baseline)", bare));
  console.log(row("begin + finish", bf, bare));
  console.log(row("begin + setLogFile + setPid + finish", full, bare));
  console.log(row("1,000 due at once (full lifecycle)", burst, bare));
  console.log(row(`query 20 newest of a task (${total} rows)`, q20));
  console.log(row("lastScheduled", lastSched));
  store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
