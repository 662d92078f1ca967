/**
 * Helpers for the daemon end-to-end tests: a real `svcmgr daemon run` on a private root, its JSON
 * log lines parsed as they arrive, and the history read straight from the SQLite file.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import type { TestContext } from "node:test";
import { isProcessAlive } from "../../src/platform/liveness.js";
import { readProcStat } from "../../src/platform/proc-stat.js";
import { join } from "node:path";
import { openHistory } from "../../src/platform/sqlite/store.js";
import type { RunRecord } from "../../src/core/run-record.js";
import { baseEnv, CLI, makeRoot, processesWith, spawnCli, type TestRoot } from "./helpers.js";

/** One daemon log line (`--log-format json`). */
export interface LogEvent {
  readonly time: string;
  readonly level: string;
  readonly message: string;
  readonly event?: string;
  readonly svc?: string;
  readonly rid?: string;
  readonly slot?: string;
  readonly reason?: string;
  readonly detail?: string;
  readonly [k: string]: unknown;
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

const live = new Set<Daemon>();

/** A running `svcmgr --root DIR daemon run --log-format json ARGS`. */
export class Daemon {
  readonly events: LogEvent[] = [];
  stderr = "";
  readonly exited: Promise<Exit>;
  exit: Exit | null = null;
  private buffered = "";
  private readonly waiters = new Set<() => void>();

  private constructor(readonly root: TestRoot, readonly child: ChildProcess) {
    live.add(this);
    child.stdout!.setEncoding("utf8").on("data", (d: string) => this.onData(d));
    child.stderr!.setEncoding("utf8").on("data", (d: string) => (this.stderr += d));
    this.exited = new Promise((resolve) => {
      child.on("close", (code, signal) => {
        this.exit = { code, signal };
        live.delete(this);
        resolve(this.exit);
        this.notify();
      });
    });
  }

  /** `nodeArgs`: options for node itself, before the script (e.g. `--cpu-prof`). */
  /** `env`: extra environment variables for the daemon (undefined removes one). */
  static start(root: TestRoot, args: readonly string[] = [], nodeArgs: readonly string[] = [], env: Readonly<Record<string, string | undefined>> = {}): Daemon {
    const argv = ["--root", root.dir, "daemon", "run", "--log-format", "json", ...args];
    if (nodeArgs.length === 0) return new Daemon(root, spawnCli(argv, { env }));
    return new Daemon(root, spawn(process.execPath, [...nodeArgs, CLI, ...argv], { env: baseEnv(env), stdio: ["ignore", "pipe", "pipe"] }));
  }

  get pid(): number {
    return this.child.pid!;
  }

  private onData(d: string): void {
    this.buffered += d;
    let nl: number;
    while ((nl = this.buffered.indexOf("\n")) >= 0) {
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      if (line.trim() === "") continue;
      try {
        this.events.push(JSON.parse(line) as LogEvent);
      } catch {
        this.events.push({ time: "", level: "raw", message: line });
      }
    }
    this.notify();
  }

  private notify(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Log events of a kind (and optionally a service and rid). */
  find(event: string, svc?: string, rid?: string): LogEvent[] {
    return this.events.filter((e) => e.event === event && (svc === undefined || e.svc === svc) && (rid === undefined || e.rid === rid));
  }

  /** Resolves with the first log event (already seen or to come) matching `pred`. */
  waitEvent(what: string, pred: (e: LogEvent) => boolean, timeoutMs = 10_000): Promise<LogEvent> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = this.events.find(pred);
        if (hit !== undefined) return done(() => resolve(hit));
        if (this.exit !== null) return done(() => reject(new Error(`daemon exited (${JSON.stringify(this.exit)}) before ${what}\n${this.tail()}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${this.tail()}`))), timeoutMs);
      const done = (f: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        f();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** The last log lines and stderr, for failure messages. */
  tail(n = 25): string {
    return `--- daemon log (last ${n}) ---\n${this.events.slice(-n).map((e) => e.message).join("\n")}\n--- stderr ---\n${this.stderr}`;
  }

  /** Sends a signal and waits for the exit. */
  async stop(signal: NodeJS.Signals = "SIGTERM", timeoutMs = 15_000): Promise<Exit> {
    if (this.exit !== null) return this.exit;
    this.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`daemon did not exit within ${timeoutMs} ms of ${signal}\n${this.tail()}`)), timeoutMs);
    });
    try {
      return await Promise.race([this.exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** CPU time used so far (user + system), in clock ticks (see `getconf CLK_TCK`). */
  cpuTicks(): number {
    const { user, system } = this.cpuSplit();
    return user + system;
  }

  /** CPU time used so far in clock ticks, user and system apart, and that of the tasks it has reaped. */
  cpuSplit(): { user: number; system: number; children: number } {
    const stat = readProcStat(this.pid);
    if (stat === null) throw new Error(`no /proc/${this.pid}/stat`);
    const field = (n: number) => Number(stat.fields[n - 1]);
    return { user: field(14), system: field(15), children: field(16) + field(17) };
  }

  /** Resident memory in KiB (VmRSS) or the peak (VmHWM). */
  memoryKb(field: "VmRSS" | "VmHWM" = "VmRSS"): number {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(readFileSync(`/proc/${this.pid}/status`, "utf8"));
    if (m === null) throw new Error(`no ${field} for pid ${this.pid}`);
    return Number(m[1]);
  }
}

/** SIGKILLs every daemon still running (for `after` hooks). */
export async function killAllDaemons(): Promise<void> {
  await Promise.all([...live].map((d) => d.stop("SIGKILL").catch(() => undefined)));
}

/** SIGKILLs every live process whose command line holds `marker`. */
export function killMarked(marker: string): void {
  for (const line of processesWith(marker)) {
    const pid = Number(line.slice(0, line.indexOf(":")));
    if (pid === process.pid) continue;
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** A number that `sleep` adds to its other arguments without a visible delay, unique to one test. */
export function sleepMarker(): string {
  return `0.00${process.pid}${Math.floor(Math.random() * 1e6).toString().padStart(6, "0")}`;
}

/** All history records of a root, oldest first (empty before the database exists). */
export function records(root: TestRoot, filter: { svc?: string; rid?: string } = {}): RunRecord[] {
  const file = join(root.dir, "var", "history.sqlite");
  if (!existsSync(file)) return [];
  let store;
  try {
    store = openHistory(file);
  } catch {
    return [];
  }
  try {
    return store.query(filter).reverse();
  } finally {
    store.close();
  }
}

/** Polls the history until `pred` holds; returns the records that satisfied it. */
export async function waitRecords(
  root: TestRoot,
  what: string,
  pred: (recs: RunRecord[]) => boolean,
  timeoutMs = 10_000,
  daemon?: Daemon,
): Promise<RunRecord[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const recs = records(root);
    if (pred(recs)) return recs;
    if (Date.now() > deadline) {
      const summary = recs.map((r) => `${r.id} ${r.svc} ${r.rid} ${r.scheduledFor === null ? "-" : new Date(r.scheduledFor).toISOString()} ${r.status} ${r.reason ?? ""}`).join("\n");
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n--- history ---\n${summary}\n${daemon?.tail() ?? ""}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `(svc, rid, scheduledFor)` keys holding more than one record. */
export function duplicateSlots(recs: readonly RunRecord[]): string[] {
  const seen = new Map<string, number>();
  for (const r of recs) {
    if (r.scheduledFor === null) continue;
    const k = `${r.svc} ${r.rid} ${new Date(r.scheduledFor).toISOString()}`;
    seen.set(k, (seen.get(k) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([k, n]) => `${k} ×${n}`);
}

export const count = (recs: readonly RunRecord[], pred: (r: RunRecord) => boolean): number => recs.filter(pred).length;

export const isTask = (svc: string, rid: string) => (r: RunRecord): boolean => r.svc === svc && r.rid === rid;

/** What a test owns: its root, its daemons, its marked processes; released in that order, root last. */
export interface Owned {
  readonly root: TestRoot;
  readonly daemons: Daemon[];
  readonly markers: string[];
  /** Processes started outside the harness, as (pid, start time): only that very process is killed. */
  readonly pids: Array<{ pid: number; startTime: number | null }>;
}

export function setup(t: TestContext): Owned {
  const owned: Owned = { root: makeRoot(), daemons: [], markers: [], pids: [] };
  t.after(async () => {
    await Promise.all(owned.daemons.map((d) => d.stop("SIGKILL").catch(() => undefined)));
    for (const { pid, startTime } of owned.pids) {
      if (startTime === null || !isProcessAlive(pid, startTime)) continue;
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    for (const m of owned.markers) killMarked(m);
    owned.root.cleanup();
  });
  return owned;
}

export function startDaemon(o: Owned, args: readonly string[] = []): Daemon {
  const d = Daemon.start(o.root, args);
  o.daemons.push(d);
  return d;
}

export function marked(o: Owned): string {
  const m = sleepMarker();
  o.markers.push(m);
  return m;
}
