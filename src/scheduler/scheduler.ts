/**
 * The daemon's scheduling loop: the single owner of scheduler state (style practice 19).
 *
 * Invariants:
 * - state changes only in `handle`, one event at a time, in arrival order; timers, launch
 *   completions and callers only post events (Alarm, RunDone, ConfigChanged, Shutdown);
 * - one timer at most, armed for min(next wake − now, MAX_TIMER_MS); every wake re-plans the
 *   tasks whose own wake instant has come (a min-heap keyed by instant), nothing else;
 * - a slot is launched at most once: the in-memory last scheduled slot advances when a slot is
 *   handed to the slot queue, and the queue refuses a (task, slot) already in flight;
 * - due slots beyond the node-wide limit wait in FIFO order; none is dropped while running;
 * - a reload keeps unchanged tasks untouched, replans changed ones from their last scheduled
 *   slot with a horizon at the reload instant (no run because of the reload), and never
 *   touches running launches;
 * - the slots of a plan that launches more than one (catch-up) run one after another, in slot
 *   order, through the task's backlog; slots due while a backlog drains join it;
 * - after the clock is set back, interval and wildcard tasks keep their pace in real time and
 *   fixed-time tasks run no slot again (rebaseAfterBackwardStep);
 * - a suspended task is planned as usual, but each due slot is recorded skipped instead of
 *   run, once; its last scheduled slot moves on, so a resume runs nothing that came due before.
 */
import { classifyClockJump, MAX_TIMER_MS } from "./clock-jump.js";
import { WakeTimer } from "./wake-timer.js";
import type { MissedEventReason } from "./events.js";
import { SerialLoop } from "./serial-loop.js";
import { WakeHeap } from "./heap.js";
import { inFlightSlot, SlotQueue, slotId, type InFlightSlot } from "./slot-queue.js";
import { CATCHUP_ALL_MAX_RUNS, planTask, type TaskPlan } from "./planner.js";
import type { DaemonPorts, SchedulerOptions } from "./ports.js";
import type { TaskRun } from "../run/task-run.js";
import { Shutdown, type StopReport } from "./shutdown.js";
import { nextAttempt, RetryQueue, slotAfter } from "./retries.js";
import { errorText, refOf, SafePorts } from "./safe-ports.js";
import { diffService } from "./task-set.js";
import { newTaskState, snapshotOf, stepBack, type QueuedSlot, type TaskSnapshot, type TaskState } from "./task-state.js";
import { describeNotScheduled, isSchedulable, type ScheduledTask, type ServiceUpdate } from "./task.js";
import { sameSuspension, type Suspension } from "../core/suspension.js";

type LoopEvent =
  | { readonly kind: "alarm" }
  | { readonly kind: "run-done"; readonly id: string; readonly run: TaskRun }
  | { readonly kind: "config-changed" }
  | { readonly kind: "shutdown"; readonly graceMs: number; readonly resolve: (r: StopReport) => void }
  | { readonly kind: "grace-check" }
  | { readonly kind: "suspension"; readonly key: string; readonly suspension: Suspension | null }
  | { readonly kind: "rebase"; readonly key: string; readonly last: Date | null };

export type { StopReport, TaskSnapshot };

export class Scheduler {
  private readonly states = new Map<string, TaskState>();
  private readonly services = new Map<string, Set<string>>();
  /** Last slots of removed tasks, so a task that comes back keeps its authoritative baseline. */
  private readonly remembered = new Map<string, Date>();
  private readonly heap = new WakeHeap();
  private readonly queue: SlotQueue;
  private readonly loop = new SerialLoop<LoopEvent>((e) => this.handle(e), () => this.afterPass());
  private pendingConfig = new Map<string, { update: ServiceUpdate; initial: boolean }>();
  private configQueued = false;
  private readonly timer: WakeTimer;
  private stopping: Shutdown | null = null;
  private stopped: Promise<StopReport> | null = null;
  private gen = 0;
  private readonly maxTimerMs: number;
  private readonly out: SafePorts;
  private readonly retries = new RetryQueue<InFlightSlot>();

  constructor(private readonly ports: DaemonPorts, options: SchedulerOptions) {
    this.out = new SafePorts(ports);
    this.queue = new SlotQueue(options.maxParallel);
    this.maxTimerMs = options.maxTimerMs ?? MAX_TIMER_MS;
    this.timer = new WakeTimer(ports.clock, this.maxTimerMs, () => this.post({ kind: "alarm" }));
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

  /** Suspends (`s` set) or resumes a task's schedule at once; the same state again changes nothing. */
  setSuspended(key: string, s: Suspension | null): void {
    this.post({ kind: "suspension", key, suspension: s });
  }

  /**
   * Continues a task from `last` instead of its own baseline (a cluster's claimed slots, when
   * this node becomes the owner): the slots after it are planned again, catch-up policy applied.
   */
  rebase(key: string, last: Date | null): void {
    this.post({ kind: "rebase", key, last });
  }

  snapshot(): { tasks: TaskSnapshot[]; running: number; queued: number } {
    return { tasks: [...this.states.values()].map(snapshotOf), running: this.queue.runningCount, queued: this.queue.queuedCount };
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
    this.loop.post(event);
  }

  /** After every pass over posted events: starts what the limit allows and re-arms the timer. */
  private afterPass(): void {
    if (this.stopping !== null) return;
    this.pump();
    this.rearm(this.ports.clock.now());
  }

  private handle(e: LoopEvent): void {
    switch (e.kind) {
      case "alarm":
        return this.onAlarm();
      case "run-done":
        return this.onRunDone(e.id, e.run);
      case "config-changed":
        return this.onConfigChanged();
      case "shutdown":
        return this.onShutdown(e.graceMs, e.resolve);
      case "grace-check":
        return this.onGraceCheck();
      case "suspension":
        return this.onSuspension(e.key, e.suspension);
      case "rebase":
        return this.onRebase(e.key, e.last);
    }
  }

  private onAlarm(): void {
    const expected = this.timer.fired();
    if (this.stopping !== null) return;
    const now = this.ports.clock.now();
    if (expected !== undefined) {
      const jump = classifyClockJump(expected, now);
      if (jump.kind !== "on-time") this.out.emit({ kind: "clock-jump", jump, expected: new Date(expected), observed: new Date(now) });
      if (jump.kind === "jump-backward") this.keepPace(jump.deltaMs, now);
    }
    for (let top = this.heap.peek(); top !== undefined && top.at <= now; top = this.heap.peek()) {
      this.heap.pop();
      const state = this.states.get(top.key);
      if (state !== undefined && state.gen === top.gen) this.planAndAct(state, now);
    }
    for (const r of this.retries.takeDue(now)) {
      if (this.states.has(r.key)) this.queue.offer({ ...r.slot, id: `${slotId(r.key, r.slot.scheduledFor)}#${r.attempt}`, retry: { attempt: r.attempt, retryOf: r.retryOf } });
    }
  }

  private onRunDone(id: string, run: TaskRun): void {
    const slot = this.queue.finish(id);
    if (slot === undefined) return;
    const state = this.states.get(slot.key);
    if (state !== undefined && state.backlog.inFlight === id) {
      state.backlog.inFlight = null;
      if (this.stopping === null) this.pullBacklog(state);
    }
    const base = { ...refOf(slot), slot: slot.scheduledFor };
    if (run.status === "skipped") this.out.emit({ ...base, kind: "skipped", reason: run.gate ?? "skipped", detail: run.reason ?? "" });
    else if (run.gate === "record") this.out.emit({ ...base, kind: "missed", reason: "unrecorded", detail: run.reason ?? "", count: 1 });
    else this.out.emit({ ...base, kind: "finished", run });
    const record = run.record;
    if (record !== undefined && state !== undefined && this.stopping === null) {
      this.planRetry(state, slot, { attempt: record.attempt, status: record.status, endedAt: this.ports.clock.now(), retryOf: record.id });
    }
    this.stopping?.update(this.queue.runningCount);
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
    for (const task of diff.unchanged) this.onSuspension(task.key, task.suspended ?? null);
    if (update.kind === "invalid") {
      const detail = update.detail === "" ? describeNotScheduled("invalid-service") : update.detail;
      this.out.emit({ kind: "not-scheduled", svc: update.svc, rid: "", key: update.svc, reason: "invalid-service", detail });
    }
    if (initial) return;
    const counts = { added: diff.added.length, changed: diff.changed.length, removed: diff.removed.length, unchanged: diff.unchanged.length };
    this.out.emit({ kind: "reloaded", svc: update.svc, ...counts });
  }

  private addTask(task: ScheduledTask, initial: boolean, now: number): void {
    const remembered = this.remembered.get(task.key) ?? null;
    this.remembered.delete(task.key);
    const state = newTaskState(task, remembered ?? this.out.loadLast(task), remembered === null ? "stored" : "memory", initial ? null : new Date(now), ++this.gen);
    this.states.set(task.key, state);
    const keys = this.services.get(task.svc) ?? new Set<string>();
    this.services.set(task.svc, keys.add(task.key));
    this.activate(state, now);
    if (initial && isSchedulable(task)) this.retryAfterLoad(state, now);
  }

  private replaceTask(task: ScheduledTask, now: number): void {
    this.onSuspension(task.key, task.suspended ?? null);
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
    const removed = "the task was removed before the slot could start";
    for (const slot of this.queue.dropQueued((s) => s.key === key)) this.missSlotOf(slot, "removed", removed);
    for (const q of state.backlog.clear()) this.missSlotOf(inFlightSlot(state.task, q), "removed", removed);
    this.retries.drop((r) => r.key === key);
  }

  private activate(state: TaskState, now: number): void {
    const task = state.task;
    if (isSchedulable(task)) return this.planAndAct(state, now);
    const reason = task.notScheduledReason ?? "no-schedule";
    this.out.emit({ ...refOf(task), kind: "not-scheduled", reason, detail: task.notScheduledDetail ?? describeNotScheduled(reason) });
  }

  private planAndAct(state: TaskState, now: number): void {
    const task = state.task;
    let plan: TaskPlan;
    try {
      plan = planTask({ ...task, schedule: task.schedule!, lastScheduled: state.lastScheduled, lastScheduledSource: state.source, horizon: state.horizon }, new Date(now));
    } catch (err) {
      state.nextWake = null;
      this.out.emit({ ...refOf(task), kind: "not-scheduled", reason: "schedule-error", detail: errorText(err) });
      return;
    }
    if (plan.distrusted !== null) this.out.emit({ ...refOf(task), kind: "distrusted-last", stored: plan.distrusted, now: new Date(now), kept: false });
    if (plan.futureKept !== null) this.out.emit({ ...refOf(task), kind: "distrusted-last", stored: plan.futureKept, now: new Date(now), kept: true });
    for (const m of plan.missed) this.out.planMissed(task, m);
    const repeatUntil = state.repeatUntil;
    const launches = plan.launches.map((l) => ({ ...l, repeat: repeatUntil !== null && l.scheduledFor.getTime() <= repeatUntil }));
    const suspended = task.suspended ?? null;
    if (suspended !== null) for (const l of launches) this.out.skipSuspended(task, l.scheduledFor, suspended);
    else if (launches.length > 1 || state.backlog.active) this.queueBacklog(state, launches);
    else for (const l of launches) this.offer(task, l);
    if (repeatUntil !== null && (plan.lastScheduled?.getTime() ?? -Infinity) > repeatUntil) state.repeatUntil = null;
    state.lastScheduled = plan.lastScheduled;
    state.source = "memory";
    state.horizon = plan.horizon;
    state.nextWake = plan.nextWake;
    if (plan.nextWake !== null) this.heap.push({ at: plan.nextWake.getTime(), key: task.key, gen: state.gen });
    this.out.emit({ ...refOf(task), kind: "planned", slot: plan.nextWake });
  }

  /** Hands a slot to the slot queue; null when that slot is already queued or running. */
  private offer(task: ScheduledTask, launch: QueuedSlot): InFlightSlot | null {
    const slot = inFlightSlot(task, launch);
    if (!this.queue.offer(slot)) return null;
    const waiting = this.queue.waitingCount;
    if (waiting > 0) this.out.emit({ ...refOf(task), kind: "queued", slot: slot.scheduledFor, catchup: slot.catchup, waiting });
    return slot;
  }

  private queueBacklog(state: TaskState, launches: readonly QueuedSlot[]): void {
    for (const q of state.backlog.push(launches)) {
      this.missSlotOf(inFlightSlot(state.task, q), "catchup-limit", `more than ${CATCHUP_ALL_MAX_RUNS} slots waited to run one after another`);
    }
    this.pullBacklog(state);
  }

  /** Offers the backlog's next slot when none of it is in flight. */
  private pullBacklog(state: TaskState): void {
    for (let q = state.backlog.next(); q !== undefined; q = state.backlog.next()) {
      const slot = this.offer(state.task, q);
      if (slot !== null) state.backlog.inFlight = slot.id;
    }
  }

  /**
   * A suspension starts or ends. Slots waiting for their turn (the node-wide limit, a catch-up
   * backlog) are recorded skipped, pending retries dropped; a running slot runs on.
   */
  private onSuspension(key: string, s: Suspension | null): void {
    const state = this.states.get(key);
    if (state === undefined || sameSuspension(state.task.suspended, s)) return;
    state.task = { ...state.task, suspended: s };
    if (s === null) return this.out.emit({ ...refOf(state.task), kind: "resumed", next: state.nextWake });
    this.out.emit({ ...refOf(state.task), kind: "suspended", suspension: s });
    const queued = this.queue.dropQueued((q) => q.key === key).filter((q) => q.retry === undefined);
    for (const slot of [...queued, ...state.backlog.clear()]) this.out.skipSuspended(state.task, slot.scheduledFor, s);
    this.retries.drop((r) => r.key === key);
  }

  private onRebase(key: string, last: Date | null): void {
    const state = this.states.get(key);
    if (state === undefined || this.stopping !== null || !isSchedulable(state.task)) return;
    Object.assign(state, { lastScheduled: last, source: "stored", horizon: null, nextWake: null, gen: ++this.gen });
    this.planAndAct(state, this.ports.clock.now());
  }

  /** Queues the slot's next attempt when the task retries and the attempt that ended may be retried. */
  private planRetry(state: TaskState, slot: InFlightSlot, ended: { attempt: number; status: string | undefined; endedAt: number; retryOf: number | null }): void {
    const next = nextAttempt(state.task.retry, ended, this.ports.clock.now(), slotAfter(state.task.schedule, slot.scheduledFor));
    if (next === null) return;
    this.retries.add({ at: next.at, key: slot.key, attempt: next.attempt, retryOf: ended.retryOf, slot: { ...slot, retry: undefined, catchup: false } });
    const detail = `attempt ${ended.attempt} ${ended.status ?? "failed"}; retry ${next.attempt - 1} of ${state.task.retry!.count}`;
    this.out.emit({ ...refOf(slot), kind: "retry-planned", slot: slot.scheduledFor, attempt: next.attempt, at: new Date(next.at), detail });
  }

  /** At start: the newest slot's last attempt, failed or cut short by a stop or a crash, is retried. */
  private retryAfterLoad(state: TaskState, now: number): void {
    if (state.task.retry === undefined || state.task.retry.count < 1) return;
    const last = this.out.loadLastAttempt(state.task);
    if (last === null || last.endedAt === null) return;
    const slot = inFlightSlot(state.task, { scheduledFor: last.scheduledFor, catchup: false });
    this.planRetry(state, slot, { attempt: last.attempt, status: last.status, endedAt: Math.min(last.endedAt.getTime(), now), retryOf: last.recordId });
  }

  /** The clock was set back: interval and wildcard tasks keep their pace; fixed-time ones wait, or reset past 3 h. */
  private keepPace(deltaMs: number, now: number): void {
    this.retries.shift(deltaMs);
    for (const state of this.states.values()) {
      if (!isSchedulable(state.task) || state.lastScheduled === null) continue;
      const step = stepBack(state, state.task.schedule.fixedTime, deltaMs, now);
      this.out.emit({ ...refOf(state.task), kind: "clock-step", ...step });
      if (step.policy === "wait") continue;
      state.gen = ++this.gen;
      this.planAndAct(state, now);
    }
  }

  /** Starts as many queued slots as the node-wide limit allows. */
  private pump(): void {
    for (const slot of this.queue.takeStartable()) this.startSlot(slot);
  }

  private startSlot(slot: InFlightSlot): void {
    this.out.emit({ ...refOf(slot), kind: "started", slot: slot.scheduledFor, catchup: slot.catchup, ...(slot.retry === undefined ? {} : { attempt: slot.retry.attempt }) });
    const req = { svc: slot.svc, rid: slot.rid, scheduledFor: slot.scheduledFor, catchup: slot.catchup };
    const extra = slot.retry !== undefined ? { retry: slot.retry } : slot.repeat === true ? { repeat: true } : {};
    // A launch that throws instead of rejecting is handled as a rejection.
    new Promise<TaskRun>((resolve) => resolve(this.ports.launch({ ...req, ...extra }))).then(
      (done) => this.post({ kind: "run-done", id: slot.id, run: done }),
      (err: unknown) => this.post({ kind: "run-done", id: slot.id, run: { rid: slot.rid, status: "not-run", reason: errorText(err), failed: true } }),
    );
  }

  /** Arms the timer for the earliest live wake instant (stale heap entries dropped on the way) or retry. */
  private rearm(now: number): void {
    const wake = this.heap.peekLive((top) => this.states.get(top.key)?.gen === top.gen)?.at ?? null;
    const retry = this.retries.earliest();
    this.timer.arm(wake === null ? retry : retry === null ? wake : Math.min(wake, retry), now);
  }

  private onShutdown(graceMs: number, resolve: (r: StopReport) => void): void {
    if (this.stopping !== null) return;
    this.timer.cancel();
    const dropped = this.queue.dropQueued(() => true);
    for (const state of this.states.values()) dropped.push(...state.backlog.clear().map((q) => inFlightSlot(state.task, q)));
    for (const slot of dropped) this.missSlotOf(slot, "shutdown", "the daemon stopped before the slot could start");
    this.stopping = new Shutdown(this.ports.clock, this.maxTimerMs, graceMs, dropped.length, resolve, () => this.post({ kind: "grace-check" }));
    this.stopping.update(this.queue.runningCount);
  }

  private onGraceCheck(): void {
    const interrupted = this.stopping?.check(() => this.queue.runningSlots()) ?? [];
    for (const slot of interrupted) {
      this.out.emit({ ...refOf(slot), kind: "interrupted", slot: slot.scheduledFor, detail: "still running when the stop grace period ended" });
    }
  }

  private missSlotOf(slot: InFlightSlot, reason: MissedEventReason, detail: string): void {
    this.out.missSlot(slot, slot.scheduledFor, reason, detail);
  }
}
