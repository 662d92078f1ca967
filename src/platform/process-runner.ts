import { accessSync, closeSync, constants, openSync, readdirSync, readFileSync, readSync, statSync, type Stats } from "node:fs";
import { join, resolve } from "node:path";
import type { Clock, LimitName, ProcessResult, ProcessRunner, ProcessSpec, UserDb } from "../core/ports.js";
import { defaultSpawnTask, type SpawnTask, type TaskProcess } from "./task-spawn.js";
import { createUserDb } from "./user-db.js";
import { whenAborted } from "./abort-listeners.js";
import { processStartTime } from "./liveness.js";

export interface ProcessRunnerOptions {
  /** Supplementary groups of a switched identity, for the execute-permission check. @default createUserDb() */
  readonly userDb?: UserDb;
  /** After the leader exits, how long the output pipes may stay open before the group is killed. @default 1000 */
  readonly pipeGraceMs?: number;
  readonly clock?: Clock;
  /** Where sh, prlimit and setpriv are found (never the task's PATH). */
  readonly toolDirs?: readonly string[];
  /** How the process is started. @default defaultSpawnTask() (vfork where the addon is built) */
  readonly spawnTask?: SpawnTask;
}

export const DEFAULT_KILL_GRACE_MS = 5000;
export const DEFAULT_PIPE_GRACE_MS = 1000;
const DEFAULT_TOOL_DIRS = ["/usr/bin", "/bin", "/usr/sbin", "/sbin"];
/** execvp's search path when PATH is unset (confstr _CS_PATH). */
const DEFAULT_EXEC_PATH = "/bin:/usr/bin";
/** While the group is being terminated, how often to check whether it is gone. */
const GROUP_POLL_MS = 50;
/** setTimeout fires at once above this; longer delays are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (ms, fire) => {
    const t = setTimeout(fire, ms);
    return { cancel: () => clearTimeout(t) };
  },
};

/**
 * Runs task processes, each in its own session and process group (see task-spawn.ts).
 * The exec chain, outermost first, each step exec'ing the next in the same pid:
 *   [sh -c '…umask "$1" && shift && exec "$@"' svcmgr MASK]
 *   [prlimit --x=N:N … --]
 *   [setpriv --reuid=U --regid=G --init-groups --]
 *   /absolute/program args…
 * Each wrapper appears only when the spec needs it. spec.env is the complete environment at
 * every step (setpriv without --reset-env), so the task sees exactly spec.env.
 * `run` never throws: every failure is a ProcessResult (spawnError when nothing ran).
 */
export function createProcessRunner(options: ProcessRunnerOptions = {}): ProcessRunner {
  let userDb = options.userDb;
  const ctx: RunContext = {
    clock: options.clock ?? systemClock,
    pipeGraceMs: options.pipeGraceMs ?? DEFAULT_PIPE_GRACE_MS,
    toolDirs: options.toolDirs ?? DEFAULT_TOOL_DIRS,
    userDb: () => (userDb ??= createUserDb()),
    spawnTask: options.spawnTask ?? defaultSpawnTask(),
  };
  return { run: (spec) => runProcess(spec, ctx) };
}

interface RunContext {
  readonly clock: Clock;
  readonly pipeGraceMs: number;
  readonly toolDirs: readonly string[];
  readonly userDb: () => UserDb;
  readonly spawnTask: SpawnTask;
}

async function runProcess(spec: ProcessSpec, ctx: RunContext): Promise<ProcessResult> {
  const startedAt = ctx.clock.now();
  const notStarted = (spawnError: string | undefined, aborted = false): ProcessResult => ({
    pid: null, startedAt, endedAt: ctx.clock.now(), exitCode: null, signal: null, timedOut: false, aborted,
    ...(spawnError === undefined ? {} : { spawnError }),
  });
  if (spec.signal?.aborted) return notStarted(undefined, true);
  const plan = planExec(spec, ctx);
  if (!plan.ok) return notStarted(plan.error);
  let child: TaskProcess;
  try {
    child = await ctx.spawnTask(plan.argv[0]!, plan.argv, { cwd: spec.cwd, env: spec.env });
  } catch (e) {
    return notStarted(describeExecError(e, spec.argv[0] ?? ""));
  }
  return new Supervisor(child, spec, ctx, startedAt).result;
}

type Plan = { ok: true; argv: string[] } | { ok: false; error: string };

/** Every check that can fail before spawn: cwd, program lookup, limits, wrapper tools. */
function planExec(spec: ProcessSpec, ctx: RunContext): Plan {
  const argv0 = spec.argv[0];
  if (argv0 === undefined || argv0 === "") return { ok: false, error: "empty command" };
  const cwdError = checkCwd(spec.cwd);
  if (cwdError) return { ok: false, error: cwdError };
  const canExec = spec.identity ? identityExecCheck(spec.identity, ctx.userDb()) : selfExecCheck;
  const program = resolveProgram(argv0, spec.env.PATH, spec.cwd, canExec);
  if (!program.ok) return program;
  const interpreterError = checkInterpreter(program, argv0, spec.cwd, canExec);
  if (interpreterError) return { ok: false, error: interpreterError };
  const wrappers = wrapperArgv(spec, ctx.toolDirs);
  if (!wrappers.ok) return wrappers;
  return { ok: true, argv: [...wrappers.argv, program.path, ...spec.argv.slice(1)] };
}

function checkCwd(cwd: string): string | null {
  try {
    return statSync(cwd).isDirectory() ? null : `working directory is not a directory: ${cwd}`;
  } catch (e) {
    return errno(e) === "EACCES" ? `permission denied: working directory ${cwd}` : `working directory not found: ${cwd}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Program lookup: execvp's rules, but in spec.env.PATH and for the identity the task runs as.

type ExecCheck = (path: string, st: Stats) => boolean;
type Lookup = { ok: true; path: string; st: Stats } | { ok: false; error: string };

/**
 * argv[0] with a `/` is taken relative to cwd; otherwise each PATH entry is tried in order
 * (an empty entry is cwd). A match that exists but cannot be executed is skipped, as execvp
 * does, and reported as "permission denied" when nothing executable follows.
 * The program is then exec'd by its absolute path, so argv[0] becomes that path.
 */
function resolveProgram(argv0: string, pathVar: string | undefined, cwd: string, canExec: ExecCheck): Lookup {
  const candidates = argv0.includes("/")
    ? [resolve(cwd, argv0)]
    : (pathVar ?? DEFAULT_EXEC_PATH).split(":").map((dir) => resolve(cwd, dir, argv0));
  let denied = false;
  for (const path of candidates) {
    const found = checkCandidate(path, canExec);
    if (found.verdict === "ok") return { ok: true, path, st: found.st };
    if (found.verdict === "denied") denied = true;
  }
  return { ok: false, error: `${denied ? "permission denied" : "command not found"}: ${argv0}` };
}

type Candidate = { verdict: "ok"; st: Stats } | { verdict: "missing" | "denied" };

function checkCandidate(path: string, canExec: ExecCheck): Candidate {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    return { verdict: errno(e) === "EACCES" ? "denied" : "missing" };
  }
  // execve refuses directories and devices with EACCES.
  if (!st.isFile()) return { verdict: "denied" };
  return canExec(path, st) ? { verdict: "ok", st } : { verdict: "denied" };
}

/**
 * A script's `#!` interpreter must exist too: execve fails with ENOENT otherwise, which would
 * read as "command not found" for a file that is there. Reads at most the kernel's 256 bytes.
 */
function checkInterpreter(program: { path: string; st: Stats }, argv0: string, cwd: string, canExec: ExecCheck): string | null {
  const interpreter = interpreterOf(program.path, program.st);
  if (interpreter === null) return null;
  if (interpreter === "") return `exec format error: ${argv0} (empty #! line)`;
  const { verdict } = checkCandidate(resolve(cwd, interpreter), canExec);
  if (verdict === "ok") return null;
  return `bad interpreter: ${argv0} (#!${interpreter}: ${verdict === "missing" ? "not found" : "permission denied"})`;
}

/** Programs' `#!` interpreters (null: not a script), by path, valid while the file's stat is unchanged. */
const interpreters = new Map<string, { stamp: string; interpreter: string | null }>();
const MAX_REMEMBERED_PROGRAMS = 1000;

/** The `#!` interpreter of the program at `path`, read once per version of the file. */
function interpreterOf(path: string, st: Stats): string | null {
  const stamp = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  const known = interpreters.get(path);
  if (known?.stamp === stamp) return known.interpreter;
  const head = readHead(path, 256);
  const interpreter = head.startsWith("#!") ? (head.slice(2).split("\n", 1)[0]!.trim().split(/[ \t]/, 1)[0] ?? "") : null;
  if (interpreters.size >= MAX_REMEMBERED_PROGRAMS) interpreters.clear();
  interpreters.set(path, { stamp, interpreter });
  return interpreter;
}

function readHead(path: string, max: number): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const buf = Buffer.alloc(max);
    return buf.toString("latin1", 0, readSync(fd, buf, 0, max, 0));
  } catch {
    return "";
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const selfExecCheck: ExecCheck = (path) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** The kernel's rule for the switched identity: owner bits, else group bits, else other bits. */
function identityExecCheck(id: NonNullable<ProcessSpec["identity"]>, db: UserDb): ExecCheck {
  const gids = new Set([id.gid, ...db.supplementaryGids(id.user)]);
  return (_path, st) => {
    if (id.uid === 0) return (st.mode & 0o111) !== 0;
    if (st.uid === id.uid) return (st.mode & 0o100) !== 0;
    if (gids.has(st.gid)) return (st.mode & 0o010) !== 0;
    return (st.mode & 0o001) !== 0;
  };
}

// ---------------------------------------------------------------------------------------------
// Wrappers: umask, rlimits, identity.

/**
 * The umask is set by a /bin/sh prelude in the child, never in the agent: process.umask() is
 * process-wide, and libuv's thread pool may create files (history, state) while a spawn is in
 * progress, so toggling it around spawn() would race. The mask travels as $1 (no quoting);
 * $0 is "svcmgr", the name sh puts in front of its own error messages.
 * dash exports PWD; it is unset first unless spec.env has one, to keep the environment exact.
 */
function umaskScript(env: ProcessSpec["env"]): string {
  return `${"PWD" in env ? "" : "unset PWD; "}umask "$1" && shift && exec "$@"`;
}

function wrapperArgv(spec: ProcessSpec, toolDirs: readonly string[]): Plan {
  const argv: string[] = [];
  if (spec.umask !== undefined) {
    if (!Number.isInteger(spec.umask) || spec.umask < 0 || spec.umask > 0o777) return { ok: false, error: `invalid umask: ${spec.umask}` };
    const sh = findTool("sh", toolDirs);
    if (!sh) return missingTool("sh", "umask", toolDirs);
    argv.push(sh, "-c", umaskScript(spec.env), "svcmgr", `0${spec.umask.toString(8).padStart(3, "0")}`);
  }
  const limitFlags = prlimitFlags(spec.limits ?? {});
  if (!Array.isArray(limitFlags)) return limitFlags;
  if (limitFlags.length > 0) {
    const prlimit = findTool("prlimit", toolDirs);
    if (!prlimit) return missingTool("prlimit", "limit_*", toolDirs);
    argv.push(prlimit, ...limitFlags, "--");
  }
  if (spec.identity) {
    const setpriv = findTool("setpriv", toolDirs);
    if (!setpriv) return missingTool("setpriv", "user/group", toolDirs);
    const { uid, gid } = spec.identity;
    argv.push(setpriv, `--reuid=${uid}`, `--regid=${gid}`, "--init-groups", "--");
  }
  return { ok: true, argv };
}

/** soft = hard = value; `vmem` is an alias of `as` (an explicit `as` wins). */
function prlimitFlags(limits: Readonly<Partial<Record<LimitName, number>>>): string[] | { ok: false; error: string } {
  const byFlag = new Map<string, number>();
  const entries = Object.entries(limits).sort(([a], [b]) => (a === "vmem" ? -1 : b === "vmem" ? 1 : 0));
  for (const [name, value] of entries) {
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 0) return { ok: false, error: `invalid limit_${name}: ${value}` };
    byFlag.set(name === "vmem" ? "as" : name, value);
  }
  return [...byFlag].map(([flag, v]) => `--${flag}=${v}:${v}`);
}

function findTool(name: string, dirs: readonly string[]): string | null {
  for (const dir of dirs) {
    const path = join(dir, name);
    if (checkCandidate(path, selfExecCheck).verdict === "ok") return path;
  }
  return null;
}

function missingTool(name: string, keyword: string, dirs: readonly string[]): Plan {
  return { ok: false, error: `${name} not found in ${dirs.join(":")}: needed for ${keyword}` };
}

// ---------------------------------------------------------------------------------------------
// Supervision: output, deadline, abort, group kill, settling.

/**
 * Settling rule: the result is ready when the leader has exited AND both output pipes are
 * closed AND, if the group is being terminated, the group is gone or has been SIGKILLed.
 * - Timeout or abort while the leader runs: SIGTERM the group, SIGKILL it killGraceMs later
 *   (or earlier settle when the group disappears); timedOut/aborted are recorded.
 * - The leader exits but descendants keep the pipes open: wait pipeGraceMs for EOF, then
 *   terminate the group the same way (TERM, grace, KILL). Descendants that closed or
 *   redirected the pipes are left alone on a normal exit (the task's own business).
 * - After the SIGKILL, pipes still open (a process escaped the group with setsid) are
 *   abandoned after pipeGraceMs. So the promise always settles, within
 *   timeout + killGrace + pipeGrace at worst.
 */
class Supervisor {
  readonly result: Promise<ProcessResult>;
  private settle!: (r: ProcessResult) => void;
  private exit: { code: number | null; signal: string | null } | null = null;
  private openPipes = 2;
  private timedOut = false;
  private aborted = false;
  private stage: "running" | "terminating" | "killed" = "running";
  private done = false;
  private readonly timers: Array<{ cancel(): void }> = [];
  private stopWatchingAbort = (): void => {};

  constructor(
    private readonly child: TaskProcess,
    private readonly spec: ProcessSpec,
    private readonly ctx: RunContext,
    private readonly startedAt: number,
  ) {
    this.result = new Promise((r) => (this.settle = r));
    this.watch();
    spec.onSpawn?.(child.pid, child.startTime !== undefined ? child.startTime : processStartTime(child.pid));
  }

  private watch(): void {
    this.child.onOutput((stream, chunk) => {
      if (chunk !== null) return this.spec.onOutput?.(stream, chunk); // straight through: the runner keeps no output
      this.openPipes -= 1;
      this.maybeFinish();
    });
    this.child.onExit((code, signal) => this.leaderExited(code, signal));
    const timeoutMs = this.spec.timeoutMs;
    if (timeoutMs !== undefined && timeoutMs > 0) this.timers.push(longTimer(this.ctx.clock, timeoutMs, () => this.interrupt("timeout")));
    if (this.spec.signal !== undefined) this.stopWatchingAbort = whenAborted(this.spec.signal, () => this.interrupt("abort"));
    if (this.spec.signal?.aborted) this.interrupt("abort"); // aborted while the spawn was settling
  }

  private leaderExited(code: number | null, signal: NodeJS.Signals | null): void {
    this.exit = { code, signal };
    if (this.openPipes > 0 && this.stage === "running") {
      this.timers.push(this.ctx.clock.setTimer(this.ctx.pipeGraceMs, () => this.terminateGroup()));
    }
    this.maybeFinish();
  }

  /** Timeout and abort count only while the leader runs; afterwards they just end the leftovers. */
  private interrupt(why: "timeout" | "abort"): void {
    if (this.done) return;
    if (this.exit === null && !this.timedOut && !this.aborted) {
      if (why === "timeout") this.timedOut = true;
      else this.aborted = true;
    }
    this.terminateGroup();
  }

  private terminateGroup(): void {
    if (this.stage !== "running" || this.done) return;
    this.stage = "terminating";
    signalGroup(this.child.pid, "SIGTERM");
    const grace = this.spec.killGraceMs ?? DEFAULT_KILL_GRACE_MS;
    this.timers.push(this.ctx.clock.setTimer(grace, () => this.killGroup()));
    this.pollGroup();
  }

  private pollGroup(): void {
    if (this.stage !== "terminating" || this.done) return;
    this.maybeFinish();
    if (!this.done) this.timers.push(this.ctx.clock.setTimer(GROUP_POLL_MS, () => this.pollGroup()));
  }

  private killGroup(): void {
    if (this.stage !== "terminating" || this.done) return;
    this.stage = "killed";
    signalGroup(this.child.pid, "SIGKILL");
    this.timers.push(this.ctx.clock.setTimer(this.ctx.pipeGraceMs, () => this.abandonPipes()));
    this.maybeFinish();
  }

  /** Only a process outside the group can still hold the pipes: stop reading them. */
  private abandonPipes(): void {
    this.child.abandonOutput();
  }

  private maybeFinish(): void {
    if (this.done || this.exit === null || this.openPipes > 0) return;
    if (this.stage === "terminating" && groupExists(this.child.pid)) return;
    this.finish();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    for (const t of this.timers) t.cancel();
    this.stopWatchingAbort();
    this.settle({
      pid: this.child.pid,
      startedAt: this.startedAt,
      endedAt: this.ctx.clock.now(),
      exitCode: this.exit?.code ?? null,
      signal: this.exit?.signal ?? null,
      timedOut: this.timedOut,
      aborted: this.aborted,
      forceKilled: this.stage === "killed",
    });
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/**
 * True while the group has a member that is not a zombie. kill(-pgid, 0) alone is not enough:
 * orphaned members become zombies of init, which may reap them late, and a zombie holds
 * nothing. /proc/<pid>/stat is read only when kill says the group exists; without /proc,
 * the group counts as alive (the SIGKILL step still bounds the wait).
 */
function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (e) {
    if (errno(e) !== "EPERM") return false;
  }
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((n) => /^\d+$/.test(n));
  } catch {
    return true;
  }
  return pids.some((pid) => isLiveMember(pid, pgid));
}

/** /proc/<pid>/stat: `pid (comm) state ppid pgrp …`; comm may contain spaces and parentheses. */
function isLiveMember(pid: string, pgid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  } catch {
    return false;
  }
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[2]) === pgid && fields[0] !== "Z" && fields[0] !== "X";
}

/** A timer for any delay: steps of at most MAX_TIMER_MS. */
function longTimer(clock: Clock, ms: number, fire: () => void): { cancel(): void } {
  let current = clock.setTimer(Math.min(ms, MAX_TIMER_MS), () => {
    if (ms <= MAX_TIMER_MS) fire();
    else current = longTimer(clock, ms - MAX_TIMER_MS, fire);
  });
  return { cancel: () => current.cancel() };
}

function describeExecError(e: unknown, argv0: string): string {
  switch (errno(e)) {
    case "ENOENT":
      return `command not found: ${argv0}`;
    case "EACCES":
      return `permission denied: ${argv0}`;
    case "ENOEXEC":
      return `exec format error: ${argv0} (check the script shebang)`;
    case "E2BIG":
      return `argument list too long: ${argv0}`;
    default:
      return `cannot start ${argv0}: ${e instanceof Error ? e.message : String(e)}`;
  }
}

function errno(e: unknown): string | undefined {
  return typeof e === "object" && e !== null && "code" in e ? String((e as { code: unknown }).code) : undefined;
}
