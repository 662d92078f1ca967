import { mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CgroupLimits, ProcessUsage } from "../core/ports.js";
import { detectCgroupLayout, type CgroupLayout, type V1Controller } from "./cgroup-layout.js";
import { killCgroup, livePids, type KillTarget } from "./cgroup-kill.js";

/**
 * Run cgroups: `<own cgroup>/svcmgr/<root>/<svc>/<rid>/<name>` in each hierarchy (cgroup-layout.ts),
 * made before the spawn, joined by the launcher child before exec (it writes itself into
 * `procsFiles`), killed as a whole, measured, removed once empty. The `<svc>/<rid>` parents
 * hold no process and are kept (a task runs again and again: one mkdir per run then).
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
  /** Removes the cgroup (in every hierarchy) if empty; false when something is still in it. */
  remove(): boolean;
}

export interface Cgroups {
  /** Null when run cgroups can be made here; else why not (runs are contained by process group only then). */
  unavailable(): string | null;
  /** Makes the cgroup with its limits; throws an Error saying what cannot be done. */
  create(path: readonly string[], limits: CgroupLimits): RunCgroup;
  /** An existing run cgroup (left by a killed svcmgr), or null. */
  find(path: readonly string[]): RunCgroup | null;
  /** Every run cgroup below svcmgr's, as the path create was given: [svc, rid, name]. */
  list(): string[][];
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
  const parts: Part[] = layout.version === 2
    ? [{ base: join(layout.dir, ROOT, scope), controllers: ["unified"] }]
    : layout.hierarchies.map((h) => ({ base: join(h.dir, ROOT, scope), controllers: h.controllers }));
  let why: string | null | undefined;
  const check = (): string | null => (why ??= makeBases(parts, layout.version === 2));
  const dirsOf = (path: readonly string[]) => parts.map((p) => ({ ...p, dir: join(p.base, ...path.map(cgroupName)) }));
  return {
    unavailable: check,
    create: (path, limits) => {
      const reason = check();
      if (reason !== null) throw new Error(`cgroups are not writable here (${reason})`);
      const dirs = dirsOf(path);
      refuseMissingControllers(dirs, limits, layout.version === 2);
      for (const d of dirs) makeDir(d.base, d.dir, layout.version === 2);
      const cg = runCgroup(dirs, layout.version === 2);
      try {
        writeLimits(dirs, limits, layout.version === 2);
      } catch (e) {
        cg.remove();
        throw e;
      }
      return cg;
    },
    find: (path) => {
      const dirs = dirsOf(path);
      return dirs.every((d) => isDir(d.dir)) ? runCgroup(dirs, layout.version === 2) : null;
    },
    list: () => listRunCgroups(parts[0]!.base),
  };
}

function unavailableCgroups(why: string): Cgroups {
  return {
    unavailable: () => why,
    create: () => {
      throw new Error(`no cgroups here (${why})`);
    },
    find: () => null,
    list: () => [],
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
function makeDir(base: string, dir: string, unified: boolean): void {
  // Usually the task's directory exists (it is kept): one mkdir. Else the whole path, and
  // again if a parent vanished meanwhile (removed by hand or by another svcmgr).
  try {
    return mkdirOnce(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  for (let tries = 1; ; tries++) {
    try {
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

function runCgroup(dirs: readonly (Part & { dir: string })[], unified: boolean): RunCgroup {
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
  };
}

function readNumber(file: string): number | null {
  try {
    const n = Number(readFileSync(file, "utf8").trim());
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

/** `key N` lines (memory.oom_control, memory.events, cpu.stat): N of `key`, or null. */
function readKey(file: string, key: string): number | null {
  try {
    const m = new RegExp(`^${key} (\\d+)$`, "m").exec(readFileSync(file, "utf8"));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

function usageV1(memoryDir: string | undefined, cpuacctDir: string | undefined): ProcessUsage {
  const ns = cpuacctDir === undefined ? null : readNumber(join(cpuacctDir, "cpuacct.usage"));
  return {
    peakMemory: memoryDir === undefined ? null : readNumber(join(memoryDir, "memory.max_usage_in_bytes")),
    cpuSeconds: ns === null ? null : ns / 1e9,
    oomKills: memoryDir === undefined ? 0 : (readKey(join(memoryDir, "memory.oom_control"), "oom_kill") ?? 0),
  };
}

function usageV2(dir: string): ProcessUsage {
  const us = readKey(join(dir, "cpu.stat"), "usage_usec");
  return {
    peakMemory: readNumber(join(dir, "memory.peak")),
    cpuSeconds: us === null ? null : us / 1e6,
    oomKills: readKey(join(dir, "memory.events"), "oom_kill") ?? 0,
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
