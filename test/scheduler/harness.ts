/** A scheduler wired to fakes: a FakeClock, recording ports and controllable launches. */
import type { DaemonEvent, DaemonEventKind } from "../../src/scheduler/events.js";
import type { AttemptRef, LaunchRequest, SlotRef } from "../../src/scheduler/ports.js";
import type { TaskRun } from "../../src/run/task-run.js";
import { ranRun } from "../helpers/task-run.js";
import { Scheduler } from "../../src/scheduler/scheduler.js";
import type { CatchupPolicy, ScheduledTask } from "../../src/scheduler/task.js";
import type { Schedule } from "../../src/schedule/types.js";
import { FakeClock } from "../helpers/fake-clock.js";

export interface HarnessOptions {
  readonly now: number;
  readonly maxParallel?: number;
  /** Persisted last scheduled slots by key. */
  readonly last?: Readonly<Record<string, number>>;
  /** "instant": launches finish at once with status up; "manual": they wait for `finish`. */
  readonly launches?: "instant" | "manual";
  /** Outcome for instant launches. */
  readonly outcome?: (req: LaunchRequest) => TaskRun;
  /** The last attempt at each task's newest slot, by key (for retries after a restart). */
  readonly lastAttempt?: Readonly<Record<string, AttemptRef>>;
  /** Replaces the launch behaviour entirely (requests are still recorded). */
  readonly launch?: (req: LaunchRequest) => Promise<TaskRun>;
}

export function makeTask(svc: string, rid: string, schedule: Schedule | null, over: Partial<ScheduledTask> = {}): ScheduledTask {
  const catchup: CatchupPolicy = over.catchup ?? "latest";
  return {
    key: `${svc}/${rid}`, svc, rid, schedule, catchup, catchupWindowMs: null,
    configDigest: `${schedule?.expression ?? "-"}|${catchup}|${over.notScheduledReason ?? ""}`,
    ...over,
  };
}

export function makeHarness(opts: HarnessOptions) {
  const clock = new FakeClock(opts.now);
  const events: DaemonEvent[] = [];
  const launched: LaunchRequest[] = [];
  const missed: { slot: SlotRef; reason: string }[] = [];
  const skipped: { slot: SlotRef; reason: string }[] = [];
  const waiting = new Map<string, { req: LaunchRequest; resolve: (o: TaskRun) => void }>();
  const slotName = (svc: string, rid: string, at: Date) => `${svc}/${rid}@${at.toISOString()}`;
  const scheduler = new Scheduler({
    clock,
    launch(req) {
      launched.push(req);
      if (opts.launch !== undefined) return opts.launch(req);
      if (opts.launches !== "manual") return Promise.resolve(opts.outcome?.(req) ?? ranRun(req));
      return new Promise((resolve) => waiting.set(slotName(req.svc, req.rid, req.scheduledFor), { req, resolve }));
    },
    recordMissed(slot, reason) {
      missed.push({ slot, reason });
    },
    recordSkipped(slot, reason) {
      skipped.push({ slot, reason });
    },
    loadLastScheduled(svc, rid) {
      const ms = opts.last?.[`${svc}/${rid}`];
      return ms === undefined ? null : new Date(ms);
    },
    loadLastAttempt(svc, rid) {
      return opts.lastAttempt?.[`${svc}/${rid}`] ?? null;
    },
    emit(e) {
      events.push(e);
    },
  }, { maxParallel: opts.maxParallel ?? 64 });

  return {
    clock, events, launched, missed, skipped, scheduler,
    /** "svc/rid@iso" of every launch, in order. */
    launchedNames: () => launched.map((r) => slotName(r.svc, r.rid, r.scheduledFor)),
    ofKind: <K extends DaemonEventKind>(kind: K) => events.filter((e): e is Extract<DaemonEvent, { kind: K }> => e.kind === kind),
    /** Completes a manual launch. */
    async finish(name: string, outcome?: TaskRun) {
      const launch = waiting.get(name);
      if (launch === undefined) throw new Error(`no running launch ${name}; running: ${[...waiting.keys()].join(", ")}`);
      waiting.delete(name);
      launch.resolve(outcome ?? ranRun(launch.req));
      await clock.idle();
    },
    runningNames: () => [...waiting.keys()],
  };
}

export const tasksUpdate = (svc: string, tasks: ScheduledTask[]) => ({ kind: "tasks" as const, svc, tasks });
