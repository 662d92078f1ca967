import type { Clock, ProcessResult, ProcessSpec } from "../core/ports.js";
import type { TaskProcess } from "./task-spawn.js";
import type { RunCgroup } from "./cgroup.js";
import { whenAborted } from "./abort-listeners.js";
import { processStartTime } from "./liveness.js";
import { groupExists, signalGroup } from "./process-group.js";

const DEFAULT_KILL_GRACE_MS = 5000;
/** While the group is being terminated, how often to check whether it is gone. */
const GROUP_POLL_MS = 50;
/** setTimeout fires at once above this; longer delays are chained. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface SupervisorContext {
  readonly clock: Clock;
  /** After the leader exits, how long the output pipes may stay open before the group is killed. */
  readonly pipeGraceMs: number;
}

/**
 * Watches a started task process to its result: passes its output on, enforces the deadline
 * and the abort signal on its whole process group, and settles.
 *
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
 * - With a cgroup, "the group" is also every process of the cgroup: SIGTERM reaches those
 *   that left the session, and the SIGKILL step kills the whole cgroup (none can escape it).
 */
export class Supervisor {
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
    private readonly ctx: SupervisorContext,
    private readonly startedAt: number,
    private readonly cgroup?: RunCgroup,
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
    this.cgroup?.signal("SIGTERM");
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
    void this.cgroup?.kill().then(() => this.maybeFinish());
    this.timers.push(this.ctx.clock.setTimer(this.ctx.pipeGraceMs, () => this.abandonPipes()));
    this.maybeFinish();
  }

  /** Only a process outside the group can still hold the pipes: stop reading them. */
  private abandonPipes(): void {
    this.child.abandonOutput();
  }

  private maybeFinish(): void {
    if (this.done || this.exit === null || this.openPipes > 0) return;
    if (this.stage === "terminating" && (groupExists(this.child.pid) || (this.cgroup?.members().length ?? 0) > 0)) return;
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

/** A timer for any delay: steps of at most MAX_TIMER_MS. */
function longTimer(clock: Clock, ms: number, fire: () => void): { cancel(): void } {
  let current = clock.setTimer(Math.min(ms, MAX_TIMER_MS), () => {
    if (ms <= MAX_TIMER_MS) fire();
    else current = longTimer(clock, ms - MAX_TIMER_MS, fire);
  });
  return { cancel: () => current.cancel() };
}
