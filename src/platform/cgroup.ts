import { mkdir, mkdirSync, readdirSync, readFileSync, rmdir, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CgroupLimits, ProcessUsage } from "../core/ports.js";
import { detectCgroupLayout, type CgroupLayout, type V1Controller } from "./cgroup-layout.js";
import { killCgroup, livePids, type KillTarget } from "./cgroup-kill.js";
import { usageV1, usageV2 } from "./cgroup-usage.js";

/**
 * Run cgroups: `<own cgroup>/svcmgr/<root>/<svc>/<rid>/<name>` in the hierarchies a run needs
 * (cgroup-layout.ts), made before the spawn, joined by the launcher child before exec (it writes
 * itself into `procsFiles`), killed as a whole, measured, removed once empty. The `<svc>/<rid>`
 * parents hold no process and are kept (a task runs again and again: one mkdir per run then).
 * What a run costs (design §15, bench/daemon-burst.bench.ts --compare-cgroups): on cgroup v1
 * every hierarchy is one more mkdir, one more cgroup move of the child, one more rmdir. So
 * a run gets `freezer` (to kill it whole), `cpuacct` and `memory` (its record's CPU seconds,
 * peak memory and OOM kills), and `cpu` or `pids` only when it has that limit. The directories
 * are made and removed on libuv's thread pool, not the event loop, and removed after the
 * run's result, in batches (removeLater).
 */
export interface RunCgroup {
  /** The cgroup.procs files the launcher child writes itself into, one per hierarchy. */
  readonly procsFiles: readonly string[];
  /** Live processes of the cgroup (zombies left out). */
  members(): number[];
  /** Sends `signal` to every process of the cgroup. */
  signal(signal: NodeJS.Signals): void;
  /** Kills every process, setsid and forks included (freeze, SIGKILL all, thaw; or cgroup.kill), until empty. */
  kill(): Promise<void>;
  usage(): ProcessUsage;
  /** Removes the cgroup (in every hierarchy) now, if empty; false when something is still in it. */
  remove(): boolean;
  /** Removes it soon, off the event loop, with the others that ended meanwhile (it must be empty). */
  removeLater(): void;
}

export interface Cgroups {
  /** Null when run cgroups can be made here; else why not (runs are contained by process group only then). */
  unavailable(): string | null;
  /** Makes the cgroup with its limits; rejects with an Error saying what cannot be done. */
  create(path: readonly string[], limits: CgroupLimits): Promise<RunCgroup>;
  /** An existing run cgroup (left by a killed svcmgr), or null. */
  find(path: readonly string[]): RunCgroup | null;
  /** Every run cgroup below svcmgr's, as the path create was given: [svc, rid, name]. */
  list(): string[][];
  /** Resolves once every removeLater so far is done. */
  settled(): Promise<void>;
}

const ROOT = "svcmgr";
const CPU_PERIOD_US = 100_000;

/** The path components as directory names: `/` in an object path (`ns/svc/name`) would nest. */
export function cgroupName(part: string): string {
  return encodeURIComponent(part);
}

/**
 * The `<root>` level: run ids are unique within one history, so the cgroups of svcmgr roots
 * (var directories) on the same host are kept apart by a short hash of the var directory.
 */
export function cgroupScope(varDir: string): string {
  // FNV-1a twice (two offsets): no crypto module to load at every CLI start for a name.
  const fnv = (seed: number) => {
    let h = seed;
    for (let i = 0; i < varDir.length; i++) h = Math.imul(h ^ varDir.charCodeAt(i), 0x01000193) >>> 0;
    return h.toString(16).padStart(8, "0");
  };
  return fnv(0x811c9dc5) + fnv(0x50c5d1f3);
}

const shared = new Map<string, Cgroups>();
let layout: CgroupLayout | undefined;

/**
 * The run cgroups of one svcmgr root (cgroupScope) in this process's cgroups, detected once.
 * `SVCMGR_RUN_CGROUPS=0` turns them off, as if cgroups could not be written: for benchmarks
 * that measure what they cost (bench/daemon-burst.bench.ts --compare-cgroups).
 */
export function hostCgroups(scope: string): Cgroups {
  let cg = shared.get(scope);
  if (cg === undefined) shared.set(scope, (cg = openCgroups((layout ??= detectLayout()), scope)));
  return cg;
}

function detectLayout(): CgroupLayout {
  if (process.env.SVCMGR_RUN_CGROUPS === "0") return { version: null, why: "turned off by SVCMGR_RUN_CGROUPS=0" };
  return readLayout();
}

function readLayout(): CgroupLayout {
  try {
    return detectCgroupLayout(readFileSync("/proc/self/cgroup", "utf8"), readFileSync("/proc/self/mountinfo", "utf8"));
  } catch (e) {
    return { version: null, why: `cannot read /proc/self/cgroup: ${(e as Error).message}` };
  }
}

/** One hierarchy's part of a run cgroup: its directory, and the controllers it holds there. */
interface Part {
  readonly base: string;
  readonly controllers: readonly (V1Controller | "unified")[];
}

export function openCgroups(layout: CgroupLayout, scope: string): Cgroups {
  if (layout.version === null) return unavailableCgroups(layout.why);
  const unified = layout.version === 2;
  const parts: Part[] = unified
    ? [{ base: join(layout.dir, ROOT, scope), controllers: ["unified"] }]
    : layout.hierarchies.map((h) => ({ base: join(h.dir, ROOT, scope), controllers: h.controllers }));
  // v1: the freezer's hierarchy is where run cgroups are listed and found (every run has one there).
  const main = unified ? parts[0]! : parts.find((p) => p.controllers.includes("freezer"))!;
  // Checked once (a mkdir of each base on the event loop): a run's own directory is made off it.
  let why: string | null | undefined;
  const check = (): string | null => (why === undefined ? (why = makeBases(parts, unified)) : why);
  const dirsOf = (path: readonly string[], of: readonly Part[]) => of.map((p) => ({ ...p, dir: join(p.base, ...path.map(cgroupName)) }));
  const remover = new BatchRemover();
  return {
    unavailable: check,
    create: async (path, limits) => {
      const reason = check();
      if (reason !== null) throw new Error(`cgroups are not writable here (${reason})`);
      refuseMissingControllers(dirsOf(path, parts), limits, unified);
      const dirs = dirsOf(path, unified ? parts : partsFor(parts, limits));
      await Promise.all(dirs.map((d) => makeDir(d.base, d.dir, unified, () => makeBases(parts, unified))));
      const cg = runCgroup(dirs, unified, remover);
      try {
        writeLimits(dirs, limits, unified);
      } catch (e) {
        cg.remove();
        throw e;
      }
      return cg;
    },
    find: (path) => {
      const dirs = dirsOf(path, parts).filter((d) => isDir(d.dir));
      return dirs.some((d) => d.base === main.base) ? runCgroup(dirs, unified, remover) : null;
    },
    list: () => listRunCgroups(main.base),
    settled: () => remover.settled(),
  };
}

/** v1: the hierarchies a run with these limits needs (see the top of this file). */
function partsFor(parts: readonly Part[], limits: CgroupLimits): Part[] {
  const wanted = new Set<string>(["freezer", "cpuacct", "memory"]);
  if (limits.cpus !== undefined) wanted.add("cpu");
  if (limits.pids !== undefined) wanted.add("pids");
  return parts.filter((p) => p.controllers.some((c) => wanted.has(c)));
}

/**
 * Removes emptied run cgroups on the thread pool, all those queued meanwhile at once; a
 * directory still busy (a process not yet gone from it) is tried again once, a little later.
 */
class BatchRemover {
  #queue: string[] = [];
  #running: Promise<void> | null = null;

  add(dirs: readonly string[]): void {
    this.#queue.push(...dirs);
    this.#running ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#drain());
  }

  settled(): Promise<void> {
    return this.#running ?? Promise.resolve();
  }

  async #drain(): Promise<void> {
    for (let round = 0; this.#queue.length > 0; round++) {
      const batch = this.#queue.splice(0);
      const busy = (await Promise.all(batch.map((d) => rmdirOffLoop(d).then(() => null, (e: NodeJS.ErrnoException) => (e.code === "EBUSY" && round === 0 ? d : null))))).filter((d) => d !== null);
      if (busy.length > 0) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        this.#queue.push(...busy);
      }
    }
    this.#running = null;
  }
}

/** mkdir and rmdir on the thread pool (callback API: fs/promises is not loaded by a CLI run, each built-in costs start-up). */
function mkdirOffLoop(dir: string): Promise<void> {
  return new Promise((resolve, reject) => mkdir(dir, (e) => (e ? reject(e) : resolve())));
}

function rmdirOffLoop(dir: string): Promise<void> {
  return new Promise((resolve, reject) => rmdir(dir, (e) => (e ? reject(e) : resolve())));
}

function unavailableCgroups(why: string): Cgroups {
  return {
    unavailable: () => why,
    create: () => Promise.reject(new Error(`no cgroups here (${why})`)),
    find: () => null,
    list: () => [],
    settled: () => Promise.resolve(),
  };
}

/** Makes `<own>/svcmgr/<root>` in every hierarchy; null when done, else why it cannot be. */
function makeBases(parts: readonly Part[], unified: boolean): string | null {
  for (const p of parts) {
    try {
      // Not recursive: the own cgroup exists (and Node's recursive mkdir loops on some ENOENT).
      if (unified) enableControllers(join(p.base, "..", ".."), true);
      mkdirOnce(join(p.base, ".."));
      if (unified) enableControllers(join(p.base, ".."), true);
      mkdirOnce(p.base);
      if (unified) enableControllers(p.base, true);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return `cannot create ${p.base}: ${code ?? (e as Error).message}${code === "EACCES" || code === "EPERM" ? " (not root?)" : code === "EROFS" ? " (read-only cgroup filesystem)" : ""}`;
    }
  }
  return null;
}

/** v2: the controllers a child needs must be enabled in its parent's cgroup.subtree_control (best effort). */
function enableControllers(dir: string, quiet: boolean): void {
  let available: string[];
  try {
    available = readFileSync(join(dir, "cgroup.controllers"), "utf8").trim().split(/\s+/);
  } catch {
    return;
  }
  for (const c of ["memory", "cpu", "pids"].filter((x) => available.includes(x))) {
    try {
      writeFileSync(join(dir, "cgroup.subtree_control"), `+${c}`);
    } catch (e) {
      if (!quiet) throw e;
    }
  }
}

/** Directories from base down to `dir`; on v2 each parent enables the controllers for its child. */
async function makeDir(base: string, dir: string, unified: boolean, remakeBases: () => void): Promise<void> {
  // Usually the task's directory exists (it is kept): one mkdir, on the thread pool. Else (a
  // task's first run) the whole path, bases included (removed by hand since they were made), and
  // again if a parent vanished meanwhile (removed by hand or by another svcmgr).
  try {
    return await mkdirOffLoop(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EEXIST") return;
    if (code !== "ENOENT") throw e;
  }
  for (let tries = 1; ; tries++) {
    try {
      remakeBases();
      return makeDirOnce(base, dir, unified);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT" || tries === 3) throw e;
    }
  }
}

function makeDirOnce(base: string, dir: string, unified: boolean): void {
  const below = dir.slice(base.length + 1).split("/");
  let at = base;
  for (const name of below) {
    if (unified) enableControllers(at, true);
    at = join(at, name);
    mkdirOnce(at);
  }
}

function mkdirOnce(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
  }
}

const LIMIT_CONTROLLER: Record<keyof CgroupLimits, V1Controller> = { memory: "memory", cpus: "cpu", pids: "pids" };

function refuseMissingControllers(dirs: readonly (Part & { dir: string })[], limits: CgroupLimits, unified: boolean): void {
  for (const key of Object.keys(LIMIT_CONTROLLER) as (keyof CgroupLimits)[]) {
    if (limits[key] === undefined) continue;
    const controller = LIMIT_CONTROLLER[key];
    const ok = unified ? controllerEnabled(dirs[0]!.base, controller) : dirs.some((d) => d.controllers.includes(controller));
    if (!ok) throw new Error(`limit_${key} needs the cgroup ${controller} controller, which is not ${unified ? "available to svcmgr's cgroup" : "mounted"} here`);
  }
}

function controllerEnabled(base: string, controller: string): boolean {
  try {
    return readFileSync(join(base, "cgroup.subtree_control"), "utf8").split(/\s+/).includes(controller);
  } catch {
    return false;
  }
}

function writeLimits(dirs: readonly (Part & { dir: string })[], limits: CgroupLimits, unified: boolean): void {
  const at = (controller: V1Controller) => (unified ? dirs[0]! : dirs.find((d) => d.controllers.includes(controller))!).dir;
  const put = (dir: string, file: string, value: string) => writeFileSync(join(dir, file), value);
  if (limits.memory !== undefined) {
    if (unified) {
      put(at("memory"), "memory.max", String(limits.memory));
      tryPut(at("memory"), "memory.swap.max", "0");
    } else {
      put(at("memory"), "memory.limit_in_bytes", String(limits.memory));
      tryPut(at("memory"), "memory.memsw.limit_in_bytes", String(limits.memory));
    }
  }
  if (limits.cpus !== undefined) {
    const quota = Math.max(1000, Math.round(limits.cpus * CPU_PERIOD_US));
    if (unified) put(at("cpu"), "cpu.max", `${quota} ${CPU_PERIOD_US}`);
    else {
      put(at("cpu"), "cpu.cfs_period_us", String(CPU_PERIOD_US));
      put(at("cpu"), "cpu.cfs_quota_us", String(quota));
    }
  }
  if (limits.pids !== undefined) put(at("pids"), "pids.max", String(limits.pids));
}

/** Swap accounting may be off: then there is no swap limit to set. */
function tryPut(dir: string, file: string, value: string): void {
  try {
    writeFileSync(join(dir, file), value);
  } catch {
    // absent file: nothing to limit
  }
}

function runCgroup(dirs: readonly (Part & { dir: string })[], unified: boolean, remover: BatchRemover): RunCgroup {
  const dirOf = (controller: V1Controller) => (unified ? dirs[0]?.dir : dirs.find((d) => d.controllers.includes(controller))?.dir);
  const target: KillTarget = unified ? { version: 2, dir: dirs[0]!.dir } : { version: 1, dir: dirOf("freezer")! };
  return {
    procsFiles: dirs.map((d) => join(d.dir, "cgroup.procs")),
    members: () => livePids(target.dir),
    signal: (signal) => {
      for (const pid of livePids(target.dir)) {
        try {
          process.kill(pid, signal);
        } catch {
          // gone meanwhile
        }
      }
    },
    kill: () => killCgroup(target),
    usage: () => (unified ? usageV2(dirs[0]!.dir) : usageV1(dirOf("memory"), dirOf("cpuacct"))),
    remove: () => {
      let all = true;
      for (const d of dirs) {
        try {
          rmdirSync(d.dir);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== "ENOENT") all = false;
        }
      }
      return all;
    },
    removeLater: () => remover.add(dirs.map((d) => d.dir)),
  };
}

function isDir(path: string): boolean {
  try {
    readdirSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Subdirectories (cgroups) of `dir`; none when unreadable. */
function children(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch {
    return [];
  }
}

function listRunCgroups(base: string): string[][] {
  const out: string[][] = [];
  for (const svc of children(base)) {
    for (const rid of children(join(base, svc))) {
      for (const name of children(join(base, svc, rid))) out.push([svc, rid, name].map((n) => decodeURIComponent(n)));
    }
  }
  return out;
}
