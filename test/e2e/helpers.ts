/**
 * Helpers for the end-to-end tests: they run the built CLI (`dist/svcmgr.cjs`) as a user would,
 * against a private root (`--root DIR`) holding `etc/`, `var/` and `log/`.
 *
 * The bundle must exist and be current: `npm test` builds first; on its own, run
 * `npm run build && node scripts/test.mjs e2e`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, type TestContext } from "node:test";
import { openHistory } from "../../src/platform/sqlite/store.js";
import type { RunRecord } from "../../src/core/run-record.js";
import type { LastRun } from "../../src/core/run-ports.js";
import { hasExited, readProcStat } from "../../src/platform/proc-stat.js";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const CLI = join(REPO, "dist", "svcmgr.cjs");

if (!existsSync(CLI)) {
  throw new Error(`${CLI} is missing: the end-to-end tests run the built CLI; run "npm run build" first (npm test does)`);
}

export const isRoot = process.getuid?.() === 0;

export interface CliResult {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Wall time of the call, in ms. */
  readonly ms: number;
}

export interface CliOptions {
  /** Text written to stdin, which is then closed. Without it stdin is /dev/null. */
  readonly input?: string;
  /** Extra environment variables (undefined removes one). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Kill the CLI after this many ms (the test then fails on its status). Default 20 s. */
  readonly timeoutMs?: number;
  /** The CLI's working directory. Default: this process's. */
  readonly cwd?: string;
  /** The CLI bundle to run. Default: this checkout's dist/svcmgr.cjs. */
  readonly cliPath?: string;
}

/** The environment every CLI call starts from: this process's, without variables that change svcmgr's behaviour. */
export function baseEnv(extra: Readonly<Record<string, string | undefined>> = {}): Record<string, string> {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1", ...extra };
  for (const k of ["SVCMGR_ROOT", "SVCMGR_HISTORY", "SUDO_USER", "NODE_OPTIONS", "NODE_TEST_CONTEXT"]) if (!(k in extra)) delete env[k];
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

/** Starts the CLI; the caller owns the process. */
export function spawnCli(args: readonly string[], opts: CliOptions = {}): ChildProcess {
  return spawn(process.execPath, [opts.cliPath ?? CLI, ...args], {
    env: baseEnv(opts.env),
    cwd: opts.cwd,
    stdio: [opts.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
}

/** Waits for a started process and collects its output. */
export function collect(child: ChildProcess, opts: CliOptions = {}): Promise<CliResult> {
  const started = Date.now();
  return new Promise((resolvePromise, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout?.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 20_000);
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (status, signal) => {
      clearTimeout(timer);
      resolvePromise({ status, signal, stdout, stderr, ms: Date.now() - started });
    });
    if (opts.input !== undefined && child.stdin) {
      child.stdin.on("error", () => {
        // the CLI may exit before reading its input
      });
      child.stdin.end(opts.input);
    }
  });
}

/** Runs the CLI to completion: `svcmgr ARGS`. */
export function cli(args: readonly string[], opts: CliOptions = {}): Promise<CliResult> {
  return collect(spawnCli(args, opts), opts);
}

/** True when stderr looks like it carries a JavaScript stack trace. */
export function hasStackTrace(text: string): boolean {
  return /\n\s+at /.test(text);
}

/** A private svcmgr root: DIR/etc, DIR/var, DIR/log. */
export class TestRoot {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  get etc(): string {
    return join(this.dir, "etc");
  }

  /** Writes `etc/<name>.conf` (mode 0644: a root svcmgr refuses group/world-writable files). */
  writeConf(name: string, text: string, mode = 0o644): string {
    const file = join(this.etc, `${name}.conf`);
    mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
    writeFileSync(file, text);
    chmodSync(file, mode);
    return file;
  }

  /** `svcmgr --root DIR ARGS`. */
  run(args: readonly string[], opts: CliOptions = {}): Promise<CliResult> {
    return cli(["--root", this.dir, ...args], opts);
  }

  /** `svcmgr --root DIR -s SVC run ARGS`. */
  runTasks(svc: string, args: readonly string[] = [], opts: CliOptions = {}): Promise<CliResult> {
    return this.run(["-s", svc, "run", ...args], opts);
  }

  varDir(svc: string): string {
    return join(this.dir, "var", "svc", svc);
  }

  /** `var/svc/<svc>/<rid>/last_run`, or null when there is none. */
  lastRun(svc: string, rid: string): LastRun | null {
    const file = join(this.varDir(svc), rid, "last_run");
    return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as LastRun) : null;
  }

  /** Names in `var/svc/<svc>/<rid>/run/`. */
  runDir(svc: string, rid: string): string {
    return join(this.varDir(svc), rid, "run");
  }

  runFiles(svc: string, rid: string): string[] {
    const dir = this.runDir(svc, rid);
    return existsSync(dir) ? readdirSync(dir) : [];
  }

  /** Run files a run holds (not marked idle): what counts against max_parallel while their owner lives. */
  heldRunFiles(svc: string, rid: string): string[] {
    const dir = this.runDir(svc, rid);
    return this.runFiles(svc, rid).filter((name) => {
      try {
        return (JSON.parse(readFileSync(join(dir, name), "utf8")) as { idle?: boolean }).idle !== true;
      } catch {
        return true;
      }
    });
  }

  serviceLog(svc: string): string {
    const file = join(this.dir, "log", `${svc}.log`);
    return existsSync(file) ? readFileSync(file, "utf8") : "";
  }

  /** History records of a service (oldest first), read through the history store. */
  history(svc?: string): RunRecord[] {
    const file = join(this.dir, "var", "history.sqlite");
    if (!existsSync(file)) return [];
    const store = openHistory(file);
    try {
      return store.query(svc === undefined ? {} : { svc }).reverse();
    } finally {
      store.close();
    }
  }

  path(...parts: string[]): string {
    return join(this.dir, ...parts);
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A fresh root, removed after the test (or suite) that owns `t`. */
/**
 * One temp root for a describe block (created before, removed after its tests) and a
 * factory of services in it: each case gets a service of its own, so concurrent cases
 * never share a task's run slot. `service(conf)` writes `<prefix><n>.conf` and returns its
 * name and file.
 */
export function rootPerSuite(prefix: string): { readonly root: TestRoot; service(conf: string): { name: string; file: string } } {
  let root: TestRoot | undefined;
  let n = 0;
  before(() => {
    root = makeRoot();
  });
  after(() => root?.cleanup());
  const current = () => {
    if (root === undefined) throw new Error("rootPerSuite: used outside its describe block's tests");
    return root;
  };
  return {
    get root() {
      return current();
    },
    service(conf) {
      const name = `${prefix}${n++}`;
      return { name, file: current().writeConf(name, conf) };
    },
  };
}

export function makeRoot(t?: Pick<TestContext, "after">): TestRoot {
  const dir = mkdtempSync(join(tmpdir(), "svcmgr-e2e-"));
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, "etc"), { mode: 0o755 });
  const root = new TestRoot(dir);
  t?.after(() => root.cleanup());
  return root;
}

/** A task's environment as a map, from `env -0` output (values may hold spaces and newlines). */
export function envOf(text: string): Map<string, string> {
  return new Map(
    text
      .split("\0")
      .filter((e) => e !== "")
      .map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)] as [string, string]),
  );
}

/** The rids named by `ran <rid>` lines on stdout, in order. */
export function ranRids(stdout: string): string[] {
  return stdout
    .split("\n")
    .map((l) => /^ran (\S+)$/.exec(l)?.[1])
    .filter((r): r is string => r !== undefined);
}

/** A unique marker (a number `sleep` accepts) to find a test's processes in /proc. */
export function uniqueMarker(): string {
  return `${100 + Math.floor(Math.random() * 800)}.${process.pid}${Date.now() % 100000}`;
}

/** Live (non-zombie) processes whose command line contains `needle`. */
export function processesWith(needle: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readProcStat(Number(pid));
      if (stat === null || hasExited(stat)) continue;
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "latin1").replace(/\0/g, " ");
      if (cmdline.includes(needle)) found.push(`${pid}: ${cmdline}`);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** Resolves once `check()` is true; polls every 20 ms, gives up after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Resolves once `child`'s stream has printed text matching `re`; returns everything read so far. */
export function waitForOutput(child: ChildProcess, stream: "stdout" | "stderr", re: RegExp, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    let seen = "";
    const s = child[stream]!;
    const timer = setTimeout(() => {
      s.off("data", onData);
      reject(new Error(`timed out waiting for ${re} on ${stream}; got ${JSON.stringify(seen)}`));
    }, timeoutMs);
    const onData = (d: Buffer | string) => {
      seen += d.toString();
      if (re.test(seen)) {
        clearTimeout(timer);
        s.off("data", onData);
        resolvePromise(seen);
      }
    };
    s.on("data", onData);
  });
}
