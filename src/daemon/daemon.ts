import type { App } from "../service/app.js";
import type { HistoryStore, PrunePolicy } from "../core/history-store.js";
import type { RunRecord } from "../core/run-record.js";
import { Scheduler } from "../scheduler/scheduler.js";
import type { DaemonEvent } from "../scheduler/events.js";
import type { AttemptRef } from "../scheduler/ports.js";
import { taskKey, type ServiceUpdate } from "../scheduler/task.js";
import type { TaskRun } from "../run/task-run.js";
import { watchDamage, type HistoryDamagedError } from "../history/damage.js";
import { ofNode, recoverInterrupted, settleOrphans } from "../history/recover.js";
import { killOrphans, reapContainer, type OrphanDeps } from "./orphans.js";
import { pruneHistory } from "../history/prune.js";
import { svcmgrVersion } from "../core/version.js";
import { createSlotRunner } from "./slot-runner.js";
import { RunControls } from "./run-controls.js";
import { createApiBackend } from "./api-backend.js";
import { startApiRuns, type ApiRunDeps } from "./api-runs.js";
import { startExec } from "./api-exec.js";
import { changeTaskSuspension } from "./suspensions.js";
import type { RunRequest, StartedRuns } from "../api/backend.js";
import type { Principal } from "../api/principal.js";
import { ApiProblem } from "../api/problem.js";
import { ServiceRegistry } from "./service-registry.js";
import { TaskMetrics } from "../api/metrics/task-metrics.js";
import { observeEvent, observeInterrupted, seedLastOutcomes } from "./metrics-feed.js";
import type { DaemonPlatform } from "./ports.js";
import { DaemonEventLog } from "./event-log.js";
import { ClusterGate } from "./cluster-gate.js";
import { advertisedApi } from "./api-cluster.js";

/**
 * The daemon: one process per root that schedules every task of every valid service and runs
 * due slots in-process through the run pipeline. Lifecycle (root.ts first takes the pid file
 * and opens the history): crash recovery → load services → schedule → (reload on config
 * change or SIGHUP; housekeeping every minute) → on SIGTERM/SIGINT stop scheduling, let
 * running tasks finish within the grace period, abort the rest (recorded), release everything.
 */
export interface DaemonOptions {
  readonly maxParallel: number;
  readonly graceMs: number;
  readonly retention: PrunePolicy;
  readonly daemonUser: string;
}

const HOUSEKEEPING_MS = 60_000;
/** While runs of a previous daemon are still alive, how often to look whether they exited. */
const ORPHAN_CHECK_MS = 1_000;

export class Daemon {
  private readonly registry: ServiceRegistry;
  private readonly abort = new AbortController();
  private readonly inFlight = new Set<Promise<TaskRun>>();
  private orphans: RunRecord[] = [];
  private readonly startedAt: number;
  private stopping = false;
  private readonly scheduler: Scheduler;
  private readonly runner: ReturnType<typeof createSlotRunner>;
  private readonly events: DaemonEventLog;
  /** In a cluster (node.conf [cluster]): membership and the gate of cluster-managed slots. */
  private readonly gate: ClusterGate | null = null;
  /** This node's API over TCP (`http(s)://HOST:PORT`), published to the cluster; null without a TCP listener. */
  private apiUrl: string | null = null;
  private readonly controls = new RunControls();
  /** Prometheus metrics: in memory since the daemon started (GET /metrics). */
  private readonly metrics = new TaskMetrics(svcmgrVersion());

  /** Ends the run: a signal's name, or why the daemon stops by itself. */
  private requestStop: (reason: string) => void = () => {};
  /** Set when the history turned out damaged: the daemon stops and exits 2. */
  private damaged = false;
  private readonly history: HistoryStore;
  private readonly log: DaemonPlatform["log"];
  /** Each task's last recorded slot and attempt, read from the history before the scheduler gets the task. */
  private readonly stored = new Map<string, { readonly last: Date | null; readonly attempt: AttemptRef | null }>();

  constructor(private readonly app: App, private readonly opts: DaemonOptions, private readonly platform: DaemonPlatform) {
    this.log = platform.log;
    this.events = new DaemonEventLog(this.log);
    const c = platform.cluster;
    this.registry = new ServiceRegistry(app);
    if (c !== null) this.gate = new ClusterGate({ app, registry: this.registry, ...c, log: this.log, rebase: (key, last) => this.scheduler.rebase(key, last), api: () => this.apiUrl });
    this.history = watchDamage(platform.history, (e) => this.onDamaged(e));
    this.startedAt = app.clock.now();
    this.runner = createSlotRunner(app, this.registry, this.history, platform.serviceLogs, {
      daemonUser: opts.daemonUser,
      signal: this.abort.signal,
      warn: (text) => this.log.write("warning", text, { event: "state-write-failed" }),
      began: (slot) => this.events.started(slot.svc, slot.rid, slot.scheduledFor),
      info: (text) => this.log.write("info", text, { event: "history-writable" }),
      controls: this.controls,
      metrics: this.metrics,
      cluster: this.gate ?? undefined,
      recordSkipped: (slot, reason) => this.recordNotRun(slot, "skipped", reason),
    });
    const launch = this.runner.launch;
    this.scheduler = new Scheduler(
      {
        clock: app.clock,
        launch: (slot) => this.track(launch(slot)),
        recordMissed: (slot, reason) => this.recordNotRun(slot, "missed", reason),
        recordSkipped: (slot, reason) => this.recordNotRun(slot, "skipped", reason),
        loadLastScheduled: (svc, rid) => this.stored.get(taskKey(svc, rid))?.last ?? null,
        loadLastAttempt: (svc, rid) => this.stored.get(taskKey(svc, rid))?.attempt ?? null,
        emit: (e) => this.emit(e),
      },
      { maxParallel: opts.maxParallel },
    );
  }

  async run(): Promise<number> {
    await this.recover();
    const stopSignal = new Promise<string>((resolve) => {
      void this.platform.signals.stopRequested().then(resolve);
      this.requestStop = resolve;
    });
    // Reloads run one after the other, so a slower older load never overwrites a newer one.
    let reloading = Promise.resolve();
    const reload = () => {
      reloading = reloading.then(async () => {
        const updates = await this.registry.load();
        await this.readStored(updates);
        this.loaded(updates);
        this.scheduler.reload(updates);
        this.prepareTaskDirs(updates);
      });
    };
    const offReload = this.platform.signals.onReload(() => {
      this.log.write("info", "SIGHUP: reloading configuration", { event: "sighup" });
      reload();
    });
    // Watch before the first load: a file written while it reads is then reloaded, not missed.
    const watcher = this.watchConfig(reload);
    const mode = this.platform.mode;
    this.log.write("info", `mode: ${mode.text}`, { event: "native-mode", native: mode.native });
    this.logContainment();
    this.log.write("info", `daemon started (pid ${process.pid}, root ${this.app.paths.var}, max parallel ${this.opts.maxParallel})`, { event: "daemon-started", pid: process.pid });
    // The API comes up before any slot is planned: loading the HTTP stack (a few hundred ms on a
    // busy machine) blocks the event loop once, and must not do so when a slot is due.
    const server = await this.serve();
    this.gate?.start();
    const loaded = await this.registry.load();
    await this.readStored(loaded);
    this.loaded(loaded);
    this.scheduler.start(loaded);
    this.prepareTaskDirs(loaded);
    const housekeeping = setInterval(() => void this.housekeep(), HOUSEKEEPING_MS);
    const orphanCheck = setInterval(() => void this.settle(), ORPHAN_CHECK_MS);
    void this.housekeep();
    const signal = await stopSignal;
    clearInterval(housekeeping);
    clearInterval(orphanCheck);
    watcher.close();
    offReload();
    this.stopping = true;
    try {
      await this.shutdown(signal);
    } finally {
      await server?.close();
    }
    return this.damaged ? 2 : 0;
  }

  /** The history is damaged: no run may start without its record, so the daemon stops (once). */
  private onDamaged(e: HistoryDamagedError): void {
    if (this.damaged) return;
    this.damaged = true;
    this.log.write("error", `${e.message}. The daemon stops: nothing more is run or recorded`, { event: "history-damaged" });
    this.requestStop("the run history database is damaged");
  }

  /** Once, at start: how runs are contained. */
  private logContainment(): void {
    const why = this.platform.runCgroups.unavailable();
    if (why === null) this.log.write("info", "runs are contained by cgroups (each run in its own)", { event: "containment", cgroups: true });
    else this.log.write("warning", `runs are contained by their process group only: cgroups are not writable here (${why}); tasks with limit_memory, limit_cpus or limit_pids are refused`, { event: "containment", cgroups: false });
  }

  private orphanDeps(): OrphanDeps {
    return { history: this.history, platform: this.platform, log: this.log, nodename: this.app.nodename, isAlive: this.app.daemon.isAlive };
  }

  private async recover(): Promise<void> {
    if (this.history.health().status === "degraded") {
      // Records in flight cannot be read: those of an earlier daemon are settled at the next start.
      this.log.write("warning", "crash recovery postponed: the history store cannot be reached (done at the next start)", { event: "recovery-postponed" });
      return;
    }
    const notes = await killOrphans(this.orphanDeps());
    const r = await recoverInterrupted(this.history, this.app.daemon.isAlive, this.app.clock.now(), ofNode(this.app.nodename), notes);
    observeInterrupted(this.metrics, r.interrupted, this.app.clock.now());
    for (const rec of r.interrupted) this.log.write("warning", `interrupted ${rec.svc} ${rec.rid} run ${rec.id}: ${rec.reason}`, { event: "interrupted", svc: rec.svc, rid: rec.rid, runId: rec.id });
    for (const rec of r.orphaned) this.log.write("warning", `still running without its svcmgr: ${rec.svc} ${rec.rid} run ${rec.id} (pid ${rec.pid}); not started again until it exits`, { event: "orphaned", svc: rec.svc, rid: rec.rid, runId: rec.id, pid: rec.pid });
    this.orphans = r.orphaned;
  }

  /** The metrics follow the configured tasks; the last outcomes of new or changed ones are read in the background. */
  private loaded(updates: readonly ServiceUpdate[]): void {
    this.gate?.servicesChanged();
    this.metrics.setTasks(this.registry.taskZones());
    const tasks = updates.flatMap((u) => (u.kind === "tasks" ? u.tasks.map((t) => ({ svc: u.svc, rid: t.rid })) : []));
    void seedLastOutcomes(this.history, this.metrics, tasks);
  }

  /** In the background: the scheduled tasks' run directories, ahead of their first runs. */
  private prepareTaskDirs(updates: readonly ServiceUpdate[]): void {
    const tasks: { varDir: string; rid: string }[] = [];
    for (const u of updates) {
      const varDir = this.registry.get(u.svc)?.config.varDir;
      if (u.kind !== "tasks" || varDir === undefined) continue;
      for (const t of u.tasks) if (t.schedule !== null) tasks.push({ varDir, rid: t.rid });
    }
    void this.platform.prepareTaskDirs(tasks, (dir, err) => this.log.write("warning", `cannot make ${dir}: ${err.message}`, { event: "prepare-failed" }));
  }

  /** API runs: the shutdown waits for them like for scheduled ones. */
  private trackDone(done: Promise<unknown>): void {
    const p = done.then(() => ({ rid: "", status: "not-run", reason: "", failed: false }) as TaskRun);
    this.track(p);
  }

  private track(p: Promise<TaskRun>): Promise<TaskRun> {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
    return p;
  }

  /** A slot that never runs: missed (the planner, a stop) or skipped (its task is suspended). */
  private recordNotRun(slot: { svc: string; rid: string; scheduledFor: Date }, status: "missed" | "skipped", reason: string): void {
    const now = this.app.clock.now();
    this.runner.record({ svc: slot.svc, rid: slot.rid, trigger: "schedule", scheduledFor: slot.scheduledFor.getTime(), startedAt: now, endedAt: now, status, reason, initiatedBy: this.opts.daemonUser, node: this.app.nodename });
  }

  /**
   * Reads, before the scheduler gets them, the last recorded slot and attempt of the tasks of
   * these updates (the scheduler plans synchronously; the history answers asynchronously).
   * A read that fails leaves the task without history: it is logged, and the task is planned
   * from now.
   */
  private async readStored(updates: readonly ServiceUpdate[]): Promise<void> {
    for (const u of updates) {
      if (u.kind !== "tasks") continue;
      for (const t of u.tasks) {
        try {
          const [last, attempt] = await Promise.all([this.history.lastScheduled(u.svc, t.rid), this.history.lastAttempt(u.svc, t.rid)]);
          this.stored.set(taskKey(u.svc, t.rid), { last: last === null ? null : new Date(last), attempt: attemptRef(attempt) });
        } catch (e) {
          this.stored.delete(taskKey(u.svc, t.rid));
          this.log.write("error", `cannot read the history of ${u.svc} ${t.rid}: ${(e as Error).message}`, { event: "port-error", svc: u.svc, rid: t.rid });
        }
      }
    }
  }

  private emit(e: DaemonEvent): void {
    observeEvent(this.metrics, e);
    this.events.emit(e);
  }

  private watchConfig(reload: () => void): { close(): void } {
    return this.platform.watchConfig(reload, (dir, e) => this.log.write("warning", `cannot watch ${dir} (${e.message}): its changes are seen within 5 s (polling)`, { event: "watch-failed" }));
  }

  /** Records orphaned runs whose process has exited as interrupted, and logs each. Never throws. */
  private async settle(): Promise<void> {
    if (this.orphans.length === 0) return;
    try {
      const alive = await settleOrphans(this.history, this.orphans, this.app.daemon.isAlive, this.app.clock.now());
      const still = new Set(alive.map((r) => r.id));
      for (const rec of this.orphans) {
        if (still.has(rec.id)) continue;
        observeInterrupted(this.metrics, [rec], this.app.clock.now());
        // What the leader left in its cgroups ends with it (orphans = wait waits for the leader).
        await this.platform.runCgroups.reap(rec.svc, rec.rid, rec.id);
        await reapContainer(this.orphanDeps(), rec);
        this.log.write("warning", `interrupted ${rec.svc} ${rec.rid} run ${rec.id}: its process (pid ${rec.pid}) exited after the previous svcmgr had gone`, { event: "interrupted", svc: rec.svc, rid: rec.rid, runId: rec.id });
      }
      this.orphans = alive;
    } catch (e) {
      this.log.write("error", `checking orphaned runs failed: ${(e as Error).message}`, { event: "housekeeping-error" });
    }
  }

  /** Orphans that exited, retention, and the status file. Never throws. */
  private async housekeep(): Promise<void> {
    try {
      await this.settle();
      await pruneHistory(this.history, this.opts.retention, this.app.clock.now(), this.app.removeFile, { maxBatches: 20 });
    } catch (e) {
      this.log.write("error", `housekeeping failed: ${(e as Error).message}`, { event: "housekeeping-error" });
    }
  }

  /** What `GET /api/v1/daemon` answers, live (`daemon status --format json` prints it). */
  private statusReport(): Record<string, unknown> {
    const snap = this.scheduler.snapshot();
    const next = snap.tasks.map((t) => t.nextWake).filter((d): d is Date => d !== null).sort((a, b) => a.getTime() - b.getTime())[0];
    return {
      running: true, pid: process.pid, node: this.app.nodename, version: svcmgrVersion(),
      startedAt: new Date(this.startedAt).toISOString(), uptimeS: this.uptimeS(), stopping: this.stopping,
      services: this.registry.size, tasks: snap.tasks.length, scheduled: snap.tasks.filter((t) => t.notScheduled === null).length,
      suspended: snap.tasks.filter((t) => t.suspended !== null).length,
      runningTasks: snap.running, queuedTasks: snap.queued, nextWake: next?.toISOString() ?? null, orphans: this.orphans.length,
      store: this.storeHealth(),
    };
  }

  /** The history store's health, as `/api/v1/health` and `/api/v1/daemon` show it. */
  private storeHealth(): { kind: string; status: string; spooled: number } {
    const h = this.history.health();
    return { kind: h.kind, status: h.status, spooled: h.spooled };
  }

  private uptimeS(): number {
    return Math.max(0, Math.floor((this.app.clock.now() - this.startedAt) / 1000));
  }

  /** The API (design §11) on the daemon's socket and listeners. */
  private async serve(): Promise<{ close(): Promise<void> } | null> {
    const backend = createApiBackend({
      app: this.app, registry: this.registry, history: this.history, keys: this.platform.keys, log: this.log, startedAt: this.startedAt,
      stopping: () => this.stopping, snapshot: () => this.scheduler.snapshot(), invalid: () => this.registry.invalid,
      startRuns: (svc, request, by) => this.startApiRuns(svc, request, by),
      startExec: (svc, request, by) => startExec(this.apiRunDeps(), svc, request, by),
      setSuspended: (svc, rid, change) => changeTaskSuspension({ app: this.app, registry: this.registry, recorder: this.runner.recorder, setSuspended: (key, s) => this.scheduler.setSuspended(key, s) }, svc, rid, change),
      readLog: (file, offset, max) => this.platform.readLog(file, offset, max),
      stopRun: (id, by) => this.controls.stop(id, by),
      failing: (svc) => this.metrics.failing(svc),
      // A suspended task has no next run: its next slot will be recorded skipped.
      metrics: (covers) => this.metrics.render({ covers, nextRuns: this.scheduler.snapshot().tasks.filter((t) => t.suspended === null) }),
      taskZones: () => ({ tasks: this.registry.taskZones(), timezone: this.app.timezone }),
      store: () => ({ ...this.storeHealth(), ...(this.app.history.shared() === null ? {} : { url: this.app.history.shared() }) }),
      cluster: this.gate === null ? null : { name: this.platform.cluster!.settings.name, member: this.gate.member },
    });
    const { serveApi } = await import("./api-server.js");
    const server = await serveApi(this.platform, backend, () => this.statusReport());
    this.apiUrl = advertisedApi(server?.addresses ?? [], this.app.nodename);
    return server;
  }

  private startApiRuns(svc: string, request: RunRequest, by: Principal): StartedRuns {
    return startApiRuns(this.apiRunDeps(), svc, request, by);
  }

  /** What the API's runs and one-offs need; throws 503 once the daemon is stopping. */
  private apiRunDeps(): ApiRunDeps {
    if (this.stopping) throw new ApiProblem(503, "the daemon is stopping: it starts no new run");
    return {
      app: this.app, registry: this.registry, recorder: this.runner.recorder, logs: this.platform.serviceLogs, signal: this.abort.signal,
      track: (done) => this.trackDone(done), flush: () => this.runner.flush(), controls: this.controls,
    };
  }

  private async shutdown(signal: string): Promise<void> {
    this.log.write("info", `${signal}: stopping; running tasks have ${this.opts.graceMs} ms to finish`, { event: "daemon-stopping" });
    const report = await this.scheduler.stop({ graceMs: this.opts.graceMs });
    if (this.inFlight.size > 0) {
      this.log.write("warning", `grace period over: aborting ${this.inFlight.size} running task(s)`, { event: "daemon-abort", count: this.inFlight.size });
      this.abort.abort();
      await Promise.allSettled([...this.inFlight]);
    }
    await this.gate?.stop(); // after the runs: the next owner starts none while one still runs here
    await this.runner.flush();
    await this.platform.flushStateFiles();
    this.platform.serviceLogs.closeAll();
    this.log.write("info", `daemon stopped (${report.droppedQueued} queued slot(s) recorded as missed, ${report.interrupted.length} aborted)`, { event: "daemon-stopped" });
  }
}

function attemptRef(r: RunRecord | null): AttemptRef | null {
  if (r === null || r.scheduledFor === null) return null;
  return { scheduledFor: new Date(r.scheduledFor), attempt: r.attempt, recordId: r.id, status: r.status, endedAt: r.endedAt === null ? null : new Date(r.endedAt) };
}
