import { readFileSync } from "node:fs";
import { constants } from "node:os";
import type { ChildProcess } from "node:child_process";
import type { Clock, TerminalResult, TerminalRunner, TerminalSpec } from "../core/ports.js";
import { planExec, type ExecPlanContext } from "./exec-plan.js";
import { endCgroup, runCgroup } from "./run-cgroup.js";
import { describeExecError } from "./exec-error.js";
import { cgroupJoinArgv } from "./task-spawn.js";
import { closeInheritedDescriptors } from "./inherited-fds.js";
import { readProcStat } from "./proc-stat.js";
import type { Cgroups, RunCgroup } from "./cgroup.js";

export interface TerminalContext extends ExecPlanContext {
  readonly clock: Clock;
  readonly cgroups: () => Cgroups;
}

/** After a SIGTERM or SIGHUP passed on as a hangup, how long the process has before it is killed. */
const HANGUP_GRACE_MS = 5000;

/**
 * Processes on svcmgr's own terminal (`svcmgr shell`). The child stays in svcmgr's session and
 * process group, so the terminal is its controlling terminal and it is in the foreground (a
 * shell with job control then takes a process group of its own). It joins its cgroup before
 * exec (the /bin/sh prelude of the plain-Node launcher: the native one gives no terminal);
 * when it ends, whatever it left in the cgroup is killed, so nothing it started keeps the
 * terminal after svcmgr has it back.
 */
export function terminalRunner(ctx: TerminalContext): TerminalRunner {
  return {
    // tty (and net with it) is loaded only here: a plain `run` never loads it.
    unavailable: async () => ((await import("node:tty")).isatty(0) ? null : "stdin is not a terminal"),
    loginShells: () => readShells("/etc/shells"),
    run: (spec) => runOnTerminal(spec, ctx),
  };
}

/** /etc/shells: absolute paths, one a line, `#` comments. */
function readShells(file: string): string[] {
  try {
    return readFileSync(file, "utf8").split("\n").map((l) => l.trim()).filter((l) => l.startsWith("/"));
  } catch {
    return [];
  }
}

let inheritedClosed = false;

async function runOnTerminal(spec: TerminalSpec, ctx: TerminalContext): Promise<TerminalResult> {
  const startedAt = ctx.clock.now();
  const notStarted = (spawnError: string): TerminalResult => ({ pid: null, startedAt, endedAt: ctx.clock.now(), exitCode: null, signal: null, shellStatus: null, spawnError });
  const plan = planExec(spec, ctx);
  if (!plan.ok) return notStarted(plan.error);
  const cgroup = await runCgroup(spec, ctx.cgroups());
  if ("error" in cgroup) return notStarted(cgroup.error);
  const [file, argv] = cgroup.cg === undefined ? [plan.argv[0]!, plan.argv] : cgroupJoinArgv(plan.argv[0]!, plan.argv, cgroup.cg.procsFiles, spec.env);
  const { spawn } = await import("node:child_process");
  if (!inheritedClosed) {
    closeInheritedDescriptors();
    inheritedClosed = true;
  }
  const signals = new TerminalSignals();
  try {
    const child = spawn(file, argv.slice(1), { argv0: argv[0], cwd: spec.cwd, env: { ...spec.env }, stdio: "inherit" });
    const ended = waitFor(child);
    if (child.pid === undefined) {
      const e = await ended;
      cgroup.cg?.remove();
      return notStarted(describeExecError(e, spec.argv[0] ?? ""));
    }
    spec.onSpawn?.(child.pid, readProcStat(child.pid)?.startTime ?? null);
    signals.passTo(child, cgroup.cg);
    const end = await ended;
    const [exitCode, signal] = end instanceof Error ? [null, null] : end;
    const shellStatus = exitCode ?? (signal === null ? 1 : 128 + (constants.signals[signal] ?? 0));
    const result: TerminalResult = { pid: child.pid, startedAt, endedAt: ctx.clock.now(), exitCode, signal, shellStatus };
    return cgroup.cg === undefined ? result : { ...result, ...(await endCgroup(cgroup.cg)) };
  } finally {
    signals.stop();
  }
}

function waitFor(child: ChildProcess): Promise<[number | null, NodeJS.Signals | null] | Error> {
  return new Promise((resolve) => {
    child.once("error", resolve);
    child.once("exit", (code, signal) => resolve([code, signal]));
  });
}

/**
 * While the process runs: Ctrl-C and Ctrl-\ reach the whole foreground process group, svcmgr
 * included, and must not end svcmgr (the process would go on unrecorded); they are the
 * process's to handle. A SIGTERM or SIGHUP to svcmgr is a hangup for the process (an interactive
 * shell ignores SIGTERM), then after HANGUP_GRACE_MS every process of it is killed.
 */
class TerminalSignals {
  readonly #ignore = () => {};
  #hangup: ((sig: NodeJS.Signals) => void) | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor() {
    process.on("SIGINT", this.#ignore);
    process.on("SIGQUIT", this.#ignore);
  }

  passTo(child: ChildProcess, cg: RunCgroup | undefined): void {
    this.#hangup = () => {
      child.kill("SIGHUP");
      this.#timer ??= setTimeout(() => void (cg === undefined ? child.kill("SIGKILL") : cg.kill()), HANGUP_GRACE_MS);
    };
    process.on("SIGTERM", this.#hangup);
    process.on("SIGHUP", this.#hangup);
  }

  stop(): void {
    process.off("SIGINT", this.#ignore);
    process.off("SIGQUIT", this.#ignore);
    if (this.#hangup !== null) {
      process.off("SIGTERM", this.#hangup);
      process.off("SIGHUP", this.#hangup);
    }
    if (this.#timer !== null) clearTimeout(this.#timer);
  }
}
