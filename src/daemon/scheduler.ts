/**
 * The daemon's scheduling loop: the single owner of scheduler state (style practice 19).
 *
 * Invariants:
 * - state changes only in `handle`, one event at a time, in arrival order; timers, launch
 *   completions and callers only post events (Alarm, RunDone, ConfigChanged, Shutdown);
 * - one timer at most, armed for min(next wake − now, MAX_TIMER_MS); every wake re-plans the
 *   tasks whose own wake instant has come (a min-heap keyed by instant), nothing else;
 * - a slot is launched at most once: the in-memory last scheduled slot advances when a slot is
 *   handed to the launcher, and the launcher refuses a (task, slot) already in flight;
 * - due slots beyond the node-wide limit wait in FIFO order; none is dropped while running;
 * - a reload keeps unchanged tasks untouched, replans changed ones from their last scheduled
 *   slot with a horizon at the reload instant (no run because of the reload), and never
 *   touches running launches.
 */
import { classifyClockJump, MAX_TIMER_MS, timerDelay } from "./clock-jump.js";
import type { DaemonEvent, MissedEventReason, TaskRef } from "./events.js";
import { Fifo } from "./fifo.js";
import { WakeHeap } from "./heap.js";
import { Launcher, slotId, type InFlightSlot } from "./launcher.js";
import { planTask, type LaunchSlot, type MissedSlot, type TaskPlan } from "./planner.js";
import type { DaemonPorts, LaunchOutcome, SchedulerOptions, SlotRef } from "./ports.js";
import { diffService } from "./task-set.js";
import { describeNotScheduled, isSchedulable, type NotScheduledReason, type ScheduledTask, type ServiceUpdate } from "./task.js";

export interface StopReport {
  /** Launches still running when the grace period ended; the caller records them. */
  readonly interrupted: readonly SlotRef[];
  /** Due slots that had not started, recorded as missed. */
  readonly droppedQueued: number;
}

export interface TaskSnapshot extends TaskRef {
  readonly nextWake: Date | null;
  readonly lastScheduled: Date | null;
  readonly notScheduled: NotScheduledReason | null;
}

type LoopEvent =
  | { readonly kind: "alarm" }
  | { readonly kind: "run-done"; readonly id: string; readonly outcome: LaunchOutcome }
  | { readonly kind: "config-changed" }
  | { readonly kind: "shutdown"; readonly graceMs: number; readonly resolve: (r: StopReport) => void }
  | { readonly kind: "grace-check" };

interface TaskState {
  task: ScheduledTask;
  /** Last slot launched or missed; once planned, authoritative ("memory"). */
  lastScheduled: Date | null;
  source: "stored" | "memory";
  horizon: Date | null;
  /** Bumped on every config change; heap entries of older generations are stale. */
  gen: number;
  nextWake: Date | null;
}

interface Stopping {
  readonly deadline: number;
  readonly resolve: (r: StopReport) => void;
  dropped: number;
  done: boolean;
}

const refOf = (t: { svc: string; rid: string; key: string }): TaskRef => ({ svc: t.svc, rid: t.rid, key: t.key });
const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class Scheduler {
  private readonly states = new Map<string, TaskState>();
  private readonly services = new Map<string, Set<string>>();
  /** Last slots of removed tasks, so a task that comes back keeps its authoritative baseline. */
  private readonly remembered = new Map<string, Date>();
  private readonly heap = new WakeHeap();
  private readonly launcher: Launcher;
  private readonly events = new Fifo<LoopEvent>();
  private pendingConfig = new Map<string, { update: ServiceUpdate; initial: boolean }>();
  private configQueued = false;
  private drainScheduled = false;
  private timer: { readonly cancel: () => void; readonly expected: number } | null = null;
  private graceTimer: { cancel(): void } | null = null;
  private stopping: Stopping | null = null;
  private stopped: Promise<StopReport> | null = null;
  private gen = 0;
  private readonly maxTimerMs: number;

  constructor(private readonly ports: DaemonPorts, options: SchedulerOptions) {
    this.launcher = new Launcher(options.maxParallel);
    this.maxTimerMs = Math.min(options.maxTimerMs ?? MAX_TIMER_MS, MAX_TIMER_MS);
  }

  /** Loads the initial task set; slots missed since the persisted ones follow each task's catch-up policy. */
  start(updates: readonly ServiceUpdate[]): void {
    this.queueConfig(updates, true);
  }

  /** Hot reload: replaces the task lists of the named services. Bursts collapse into one pass. */
  reload(updates: readonly ServiceUpdate[]): void {
    this.queueConfig(updates, false);
  }

  /** Stops scheduling, waits up to `graceMs` for running launches, then reports the rest. */
  stop(options: { graceMs: number }): Promise<StopReport> {
    this.stopped ??= new Promise((resolve) => this.post({ kind: "shutdown", graceMs: options.graceMs, resolve }));
    return this.stopped;
  }

  snapshot(): { tasks: TaskSnapshot[]; running: number; queued: number } {
    const tasks = [...this.states.values()].map((s) => ({
      ...refOf(s.task),
      nextWake: s.nextWake,
      lastScheduled: s.lastScheduled,
      notScheduled: isSchedulable(s.task) ? null : (s.task.notScheduledReason ?? "no-schedule"),
    }));
    return { tasks, running: this.launcher.runningCount, queued: this.launcher.queuedCount };
  }

  private queueConfig(updates: readonly ServiceUpdate[], initial: boolean): void {
    for (const update of updates) {
      const prev = this.pendingConfig.get(update.svc);
      this.pendingConfig.set(update.svc, { update, initial: initial || (prev?.initial ?? false) });
    }
    if (this.configQueued) return;
    this.configQueued = true;
    this.post({ kind: "config-changed" });
  }

  private post(event: LoopEvent): void {
    this.events.push(event);
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    queueMicrotask(() => this.drain());
  }

  /** Handles every posted event, then starts what the limit allows and re-arms the timer. */
  private drain(): void {
    this.drainScheduled = false;
    for (let e = this.events.shift(); e !== undefined; e = this.events.shift()) this.handle(e);
    if (this.stopping !== null) return;
    this.pump();
    this.rearm(this.ports.clock.now());
  }

  private handle(e: LoopEvent): void {
    switch (e.kind) {
      case "alarm":
        return this.onAlarm();
      case "run-done":
        return this.onRunDone(e.id, e.outcome);
      case "config-changed":
        return this.onConfigChanged();
      case "shutdown":
        return this.onShutdown(e.graceMs, e.resolve);
      case "grace-check":
        return this.onGraceCheck();
    }
  }

  private onAlarm(): void {
    const expected = this.timer?.expected;
    this.timer = null;
    if (this.stopping !== null) return;
    const now = this.ports.clock.now();
    if (expected !== undefined) {
      const jump = classifyClockJump(expected, now);
      if (jump.kind !== "on-time") this.emit({ kind: "clock-jump", jump, expected: new Date(expected), observed: new Date(now) });
    }
    for (let top = this.heap.peek(); top !== undefined && top.at <= now; top = this.heap.peek()) {
      this.heap.pop();
      const state = this.states.get(top.key);
      if (state !== undefined && state.gen === top.gen) this.planAndAct(state, now);
    }
  }

  private onRunDone(id: string, outcome: LaunchOutcome): void {
    const slot = this.launcher.finish(id);
    if (slot === undefined) return;
    const base = { ...refOf(slot), slot: slot.scheduledFor };
    if (outcome.kind === "skipped") this.emit({ ...base, kind: "skipped", reason: outcome.reason, detail: outcome.detail });
    else this.emit({ ...base, kind: "finished", outcome });
    const stopping = this.stopping;
    if (stopping !== null && !stopping.done && this.launcher.runningCount === 0) this.finishStop(stopping, []);
  }

  private onConfigChanged(): void {
    this.configQueued = false;
    const pending = this.pendingConfig;
    this.pendingConfig = new Map();
    if (this.stopping !== null) return;
    const now = this.ports.clock.now();
    for (const { update, initial } of pending.values()) this.applyService(update, initial, now);
  }

  private applyService(update: ServiceUpdate, initial: boolean, now: number): void {
    const keys = this.services.get(update.svc) ?? new Set<string>();
    const digests = new Map([...keys].map((k) => [k, this.states.get(k)!.task.configDigest]));
    const diff = diffService(digests, update.kind === "tasks" ? update.tasks : []);
    for (const key of diff.removed) this.removeTask(key);
    for (const task of diff.changed) this.replaceTask(task, now);
    for (const task of diff.added) this.addTask(task, initial, now);
    if (update.kind === "invalid") {
      const detail = update.detail === "" ? describeNotScheduled("invalid-service") : update.detail;
      this.emit({ kind: "not-scheduled", svc: update.svc, rid: "", key: update.svc, reason: "invalid-service", detail });
    }
    if (initial) return;
    const counts = { added: diff.added.length, changed: diff.changed.length, removed: diff.removed.length, unchanged: diff.unchanged.length };
    this.emit({ kind: "reloaded", svc: update.svc, ...counts });
  }

  private addTask(task: ScheduledTask, initial: boolean, now: number): void {
    const remembered = this.remembered.get(task.key) ?? null;
    this.remembered.delete(task.key);
    const state: TaskState = {
      task,
      lastScheduled: remembered ?? this.loadLast(task),
      source: remembered === null ? "stored" : "memory",
      horizon: initial ? null : new Date(now),
      gen: ++this.gen,
      nextWake: null,
    };
    this.states.set(task.key, state);
    const keys = this.services.get(task.svc) ?? new Set<string>();
    this.services.set(task.svc, keys.add(task.key));
    this.activate(state, now);
  }

  private replaceTask(task: ScheduledTask, now: number): void {
    const state = this.states.get(task.key)!;
    state.task = task;
    state.gen = ++this.gen;
    state.nextWake = null;
    state.horizon = new Date(now);
    this.activate(state, now);
  }

  private removeTask(key: string): void {
    const state = this.states.get(key);
    if (state === undefined) return;
    this.states.delete(key);
    this.services.get(state.task.svc)?.delete(key);
    if (state.lastScheduled !== null && state.source === "memory") this.remembered.set(key, state.lastScheduled);
    for (const slot of this.launcher.dropQueued((s) => s.key === key)) {
      this.missSlot(slot, "removed", "the task was removed before the slot could start");
    }
  }

  private activate(state: TaskState, now: number): void {
    const task = state.task;
    if (isSchedulable(task)) return this.planAndAct(state, now);
    const reason = task.notScheduledReason ?? "no-schedule";
    this.emit({ ...refOf(task), kind: "not-scheduled", reason, detail: task.notScheduledDetail ?? describeNotScheduled(reason) });
  }

  private planAndAct(state: TaskState, now: number): void {
    const task = state.task;
    let plan: TaskPlan;
    try {
      plan = planTask({ ...task, schedule: task.schedule!, lastScheduled: state.lastScheduled, lastScheduledSource: state.source, horizon: state.horizon }, new Date(now));
    } catch (err) {
      state.nextWake = null;
      this.emit({ ...refOf(task), kind: "not-scheduled", reason: "schedule-error", detail: errorText(err) });
      return;
    }
    if (plan.distrusted !== null) this.emit({ ...refOf(task), kind: "distrusted-last", stored: plan.distrusted, now: new Date(now) });
    for (const m of plan.missed) this.recordPlanMissed(task, m);
    for (const l of plan.launches) this.offer(task, l);
    state.lastScheduled = plan.lastScheduled;
    state.source = "memory";
    state.horizon = plan.horizon;
    state.nextWake = plan.nextWake;
    if (plan.nextWake !== null) this.heap.push({ at: plan.nextWake.getTime(), key: task.key, gen: state.gen });
    this.emit({ ...refOf(task), kind: "planned", slot: plan.nextWake });
  }

  private offer(task: ScheduledTask, launch: LaunchSlot): void {
    const slot: InFlightSlot = { ...refOf(task), id: slotId(task.key, launch.scheduledFor), scheduledFor: launch.scheduledFor, catchup: launch.catchup };
    if (!this.launcher.offer(slot)) return;
    const waiting = this.launcher.waitingCount;
    if (waiting > 0) this.emit({ ...refOf(task), kind: "queued", slot: slot.scheduledFor, catchup: slot.catchup, waiting });
  }

  /** Starts as many queued slots as the node-wide limit allows. */
  private pump(): void {
    for (const slot of this.launcher.takeStartable()) this.startSlot(slot);
  }

  private startSlot(slot: InFlightSlot): void {
    this.emit({ ...refOf(slot), kind: "started", slot: slot.scheduledFor, catchup: slot.catchup });
    let run: Promise<LaunchOutcome>;
    try {
      run = Promise.resolve(this.ports.launch({ svc: slot.svc, rid: slot.rid, scheduledFor: slot.scheduledFor, catchup: slot.catchup }));
    } catch (err) {
      run = Promise.reject(err);
    }
    run.then(
      (outcome) => this.post({ kind: "run-done", id: slot.id, outcome }),
      (err: unknown) => this.post({ kind: "run-done", id: slot.id, outcome: { kind: "failed", detail: errorText(err) } }),
    );
  }

  private rearm(now: number): void {
    const target = this.nextTarget();
    if (target === null) return this.cancelTimer();
    if (this.timer !== null && this.timer.expected <= target) return; // an early enough wake is armed
    this.cancelTimer();
    const delay = timerDelay(target, now, this.maxTimerMs);
    const handle = this.ports.clock.setTimer(delay, () => this.post({ kind: "alarm" }));
    this.timer = { cancel: () => handle.cancel(), expected: now + delay };
  }

  /** The earliest live wake instant, dropping stale heap entries on the way. */
  private nextTarget(): number | null {
    for (let top = this.heap.peek(); top !== undefined; top = this.heap.peek()) {
      if (this.states.get(top.key)?.gen === top.gen) return top.at;
      this.heap.pop();
    }
    return null;
  }

  private cancelTimer(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  private onShutdown(graceMs: number, resolve: (r: StopReport) => void): void {
    if (this.stopping !== null) return;
    const now = this.ports.clock.now();
    this.cancelTimer();
    const stopping: Stopping = { deadline: now + graceMs, resolve, dropped: 0, done: false };
    this.stopping = stopping;
    const dropped = this.launcher.dropQueued(() => true);
    for (const slot of dropped) this.missSlot(slot, "shutdown", "the daemon stopped before the slot could start");
    stopping.dropped = dropped.length;
    if (this.launcher.runningCount === 0) this.finishStop(stopping, []);
    else this.armGrace(stopping, now);
  }

  private armGrace(stopping: Stopping, now: number): void {
    const delay = timerDelay(stopping.deadline, now, this.maxTimerMs);
    this.graceTimer = this.ports.clock.setTimer(delay, () => this.post({ kind: "grace-check" }));
  }

  private onGraceCheck(): void {
    const stopping = this.stopping;
    if (stopping === null || stopping.done) return;
    const now = this.ports.clock.now();
    if (now < stopping.deadline) return this.armGrace(stopping, now);
    const running = this.launcher.runningSlots();
    for (const slot of running) {
      this.emit({ ...refOf(slot), kind: "interrupted", slot: slot.scheduledFor, detail: "still running when the stop grace period ended" });
    }
    this.finishStop(stopping, running);
  }

  private finishStop(stopping: Stopping, interrupted: readonly InFlightSlot[]): void {
    stopping.done = true;
    this.graceTimer?.cancel();
    this.graceTimer = null;
    const refs = interrupted.map((s) => ({ svc: s.svc, rid: s.rid, scheduledFor: s.scheduledFor }));
    stopping.resolve({ interrupted: refs, droppedQueued: stopping.dropped });
  }

  private recordPlanMissed(task: ScheduledTask, m: MissedSlot): void {
    this.recordMissed(task, m.scheduledFor, m.detail);
    this.emit({ ...refOf(task), kind: "missed", slot: m.scheduledFor, reason: m.reason, detail: m.detail, count: m.count });
  }

  private missSlot(slot: InFlightSlot, reason: MissedEventReason, detail: string): void {
    this.recordMissed(slot, slot.scheduledFor, detail);
    this.emit({ ...refOf(slot), kind: "missed", slot: slot.scheduledFor, reason, detail, count: 1 });
  }

  /** History writes must not stop the loop: failures become port-error events. */
  private recordMissed(t: { svc: string; rid: string; key: string }, scheduledFor: Date, reason: string): void {
    const fail = (err: unknown) => this.emit({ kind: "port-error", port: "recordMissed", key: t.key, detail: errorText(err) });
    try {
      const r = this.ports.recordMissed({ svc: t.svc, rid: t.rid, scheduledFor }, reason);
      if (r instanceof Promise) r.catch(fail);
    } catch (err) {
      fail(err);
    }
  }

  private loadLast(task: ScheduledTask): Date | null {
    try {
      return this.ports.loadLastScheduled(task.svc, task.rid);
    } catch (err) {
      this.emit({ kind: "port-error", port: "loadLastScheduled", key: task.key, detail: errorText(err) });
      return null;
    }
  }

  private emit(event: DaemonEvent): void {
    try {
      this.ports.emit(event);
    } catch {
      // The log is an output only; a failing sink must not stop scheduling.
    }
  }
}
