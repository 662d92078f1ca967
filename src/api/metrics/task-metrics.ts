import type { FinalStatus, RunTrigger } from "../../core/run-record.js";
import { FAILED_STATUSES } from "../../core/history-store.js";
import { labelPairs, renderFamilies, sampleLine, type Family } from "./exposition.js";
import { DELAY_BUCKETS, DURATION_BUCKETS, Histogram } from "./histogram.js";

/**
 * The daemon's Prometheus metrics (design §11), kept in memory since it started and fed by
 * what it sees: runs it begins and ends (scheduled and through the API), records it writes
 * final (skipped, refused), slots it misses, clock jumps. Never read back from the history, so
 * pruning it never makes a counter fall.
 *
 * Invariants:
 * - every run record the daemon ends or writes counts once, in exactly one series of
 *   svcmgr_task_runs_total; missed slots count in svcmgr_task_slots_missed_total instead;
 * - label sets are bounded: per configured task (svc, rid), per trigger and final status; once
 *   the configured tasks are known, a task that leaves the configuration takes its series with
 *   it and nothing is kept for a task outside it; no label carries a run id.
 */
export interface RunStart {
  readonly svc: string;
  readonly rid: string;
  readonly trigger: RunTrigger;
  /** The schedule slot (epoch ms) of a scheduled run. */
  readonly scheduledFor?: number | null;
  readonly retryOf?: number | null;
  readonly startedAt: number;
}

export interface RunEnd {
  readonly svc: string;
  readonly rid: string;
  readonly trigger: RunTrigger;
  readonly status: FinalStatus;
  readonly startedAt: number;
  readonly endedAt: number;
}

export const CLOCK_JUMP_KINDS = ["late", "jump-forward", "jump-backward"] as const;
export type CountedClockJump = (typeof CLOCK_JUMP_KINDS)[number];

const FAILURES: ReadonlySet<string> = new Set(FAILED_STATUSES);

interface TaskSeries {
  readonly svc: string;
  readonly rid: string;
  /** `svc="…",rid="…"`, escaped once. */
  readonly pairs: string;
  running: number;
  lastSuccess: number | null;
  lastFailure: number | null;
  missed: number;
  /** `,trigger="…",status="…"` → count. */
  readonly runs: Map<string, number>;
  readonly duration: Histogram;
  readonly delay: Histogram;
}

/** What a scrape adds: which services the caller may see, and when each task runs next. */
export interface MetricsView {
  readonly covers: (svc: string) => boolean;
  readonly nextRuns: readonly { readonly svc: string; readonly rid: string; readonly nextWake: Date | null }[];
}

const keyOf = (svc: string, rid: string): string => `${svc}\u0000${rid}`;

export class TaskMetrics {
  private readonly tasks = new Map<string, TaskSeries>();
  /** The configured tasks; null until first told (runs recovered at start come before). */
  private known: Set<string> | null = null;
  private readonly clockJumps = new Map<CountedClockJump, number>(CLOCK_JUMP_KINDS.map((k) => [k, 0]));

  constructor(private readonly version: string) {}

  /** The configured tasks now: each has its series (at 0 until something happens), any other task's go. */
  setTasks(tasks: Iterable<{ readonly svc: string; readonly rid: string }>): void {
    const list = [...tasks];
    this.known = new Set(list.map((t) => keyOf(t.svc, t.rid)));
    for (const k of this.tasks.keys()) if (!this.known.has(k)) this.tasks.delete(k);
    for (const t of list) this.series(t.svc, t.rid);
  }

  /** How many of the service's tasks ended their last run failing (failed, timed out, aborted, interrupted). */
  failing(svc: string): number {
    let n = 0;
    for (const t of this.tasks.values()) if (t.svc === svc && t.lastFailure !== null && (t.lastSuccess === null || t.lastFailure > t.lastSuccess)) n++;
    return n;
  }

  /** A run's record was begun: it is running. A scheduled first attempt's start − slot is its start delay. */
  began(run: RunStart): void {
    const t = this.series(run.svc, run.rid);
    if (t === undefined) return;
    t.running++;
    if (run.trigger === "schedule" && run.scheduledFor != null && run.retryOf == null) t.delay.observe(Math.max(0, run.startedAt - run.scheduledFor) / 1000);
  }

  /** A run ended: `ran` for one this daemon saw begin (it was running; its duration counts). */
  ended(run: RunEnd, ran: boolean): void {
    const t = this.series(run.svc, run.rid);
    if (t === undefined) return;
    const k = `,trigger="${run.trigger}",status="${run.status}"`; // constants: nothing to escape
    t.runs.set(k, (t.runs.get(k) ?? 0) + 1);
    if (ran) {
      t.running = Math.max(0, t.running - 1);
      t.duration.observe(Math.max(0, run.endedAt - run.startedAt) / 1000);
    }
    if (run.status === "succeeded") t.lastSuccess = Math.max(t.lastSuccess ?? 0, run.endedAt);
    else if (FAILURES.has(run.status)) t.lastFailure = Math.max(t.lastFailure ?? 0, run.endedAt);
  }

  /** Slots of a task given up (a summary record may stand for many). */
  missed(svc: string, rid: string, count: number): void {
    const t = this.series(svc, rid);
    if (t !== undefined) t.missed += count;
  }

  clockJump(kind: string): void {
    const k = kind as CountedClockJump;
    if (this.clockJumps.has(k)) this.clockJumps.set(k, this.clockJumps.get(k)! + 1);
  }

  /** The last success and failure (epoch ms) read from the history: kept unless a later one was seen. */
  lastOutcomes(svc: string, rid: string, success: number | null, failure: number | null): void {
    const t = this.series(svc, rid);
    if (t === undefined) return;
    if (success !== null) t.lastSuccess = Math.max(t.lastSuccess ?? 0, success);
    if (failure !== null) t.lastFailure = Math.max(t.lastFailure ?? 0, failure);
  }

  /** The exposition text, with the tasks of the services `view.covers` only. */
  render(view: MetricsView): string {
    const tasks = [...this.tasks.values()].filter((t) => view.covers(t.svc)).sort((a, b) => cmp(a.svc, b.svc) || cmp(a.rid, b.rid));
    const each = (fn: (t: TaskSeries) => string): string => {
      let out = "";
      for (const t of tasks) out += fn(t);
      return out;
    };
    const gauge = (name: string, pick: (t: TaskSeries) => number | null, scale = 1) => each((t) => {
      const v = pick(t);
      return v === null ? "" : sampleLine(name, t.pairs, v / scale);
    });
    const next = view.nextRuns
      .filter((n) => n.nextWake !== null && view.covers(n.svc))
      .map((n) => ({ t: this.tasks.get(keyOf(n.svc, n.rid)), at: n.nextWake!.getTime() }))
      .filter((n): n is { t: TaskSeries; at: number } => n.t !== undefined)
      .sort((a, b) => cmp(a.t.svc, b.t.svc) || cmp(a.t.rid, b.t.rid))
      .map((n) => sampleLine("svcmgr_task_next_run_timestamp_seconds", n.t.pairs, n.at / 1000))
      .join("");
    const runs = "svcmgr_task_runs_total";
    const duration = "svcmgr_task_run_duration_seconds";
    const delay = "svcmgr_task_start_delay_seconds";
    const families: Family[] = [
      { name: "svcmgr_build_info", type: "gauge", help: "svcmgr's version (value 1).", lines: sampleLine("svcmgr_build_info", labelPairs({ version: this.version }), 1) },
      {
        name: "svcmgr_daemon_clock_jumps_total", type: "counter", help: "Wall clock anomalies seen by the scheduler since the daemon started, by kind.",
        lines: [...this.clockJumps].map(([kind, value]) => sampleLine("svcmgr_daemon_clock_jumps_total", labelPairs({ kind }), value)).join(""),
      },
      {
        name: runs, type: "counter", help: "Task runs ended (and skipped) since the daemon started, by trigger and final status; missed slots are in svcmgr_task_slots_missed_total.",
        lines: each((t) => [...t.runs.keys()].sort().map((k) => `${runs}{${t.pairs}${k}} ${t.runs.get(k)!}\n`).join("")),
      },
      { name: duration, type: "histogram", help: "Duration of the task runs ended since the daemon started.", lines: each((t) => (t.duration.observations === 0 ? "" : t.duration.lines(duration, t.pairs))) },
      { name: "svcmgr_task_running", type: "gauge", help: "Runs of the task in progress.", lines: gauge("svcmgr_task_running", (t) => t.running) },
      { name: "svcmgr_task_last_success_timestamp_seconds", type: "gauge", help: "When the task's last successful run ended (Unix time).", lines: gauge("svcmgr_task_last_success_timestamp_seconds", (t) => t.lastSuccess, 1000) },
      { name: "svcmgr_task_last_failure_timestamp_seconds", type: "gauge", help: "When the task's last failed, timed out, aborted or interrupted run ended (Unix time).", lines: gauge("svcmgr_task_last_failure_timestamp_seconds", (t) => t.lastFailure, 1000) },
      { name: "svcmgr_task_next_run_timestamp_seconds", type: "gauge", help: "The task's next scheduled slot (Unix time); absent when it is not scheduled.", lines: next },
      { name: delay, type: "histogram", help: "Start time minus schedule slot of scheduled runs (first attempts).", lines: each((t) => (t.delay.observations === 0 ? "" : t.delay.lines(delay, t.pairs))) },
      { name: "svcmgr_task_slots_missed_total", type: "counter", help: "Schedule slots given up since the daemon started (catch-up policy, shutdown, history not writable).", lines: gauge("svcmgr_task_slots_missed_total", (t) => t.missed) },
    ];
    return renderFamilies(families);
  }

  /** The task's series, made on first use; undefined for a task outside the configuration. */
  private series(svc: string, rid: string): TaskSeries | undefined {
    const k = keyOf(svc, rid);
    let t = this.tasks.get(k);
    if (t !== undefined) return t;
    if (this.known !== null && !this.known.has(k)) return undefined;
    t = { svc, rid, pairs: labelPairs({ svc, rid }), running: 0, lastSuccess: null, lastFailure: null, missed: 0, runs: new Map(), duration: new Histogram(DURATION_BUCKETS), delay: new Histogram(DELAY_BUCKETS) };
    this.tasks.set(k, t);
    return t;
  }
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
