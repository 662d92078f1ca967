import type { TaskZone } from "../api/daily-stats.js";
import { createHash } from "node:crypto";
import type { App } from "../service/app.js";
import { formatAlert, hasErrors, resourceErrors, type Alert } from "../core/alert.js";
import { formatObjectPath } from "../core/object-path.js";
import type { ServiceConfig } from "../config/service.js";
import { taskDef, type TaskDef } from "../task/model.js";
import { notScheduledReason } from "../task/not-scheduled.js";
import { noRunAheadReason } from "../task/run-ahead.js";
import { taskSchedule } from "../task/schedule.js";
import type { ScheduledTask, ServiceUpdate } from "../scheduler/task.js";
import type { ObjectPath } from "../core/object-path.js";
import { readAndValidate } from "../service/open.js";

/**
 * The daemon's view of the configured services: for each valid service, its config and
 * its tasks resolved once per load (not once per run). `load()` re-reads every config file
 * (and each task's suspension state file) and returns the scheduler updates: new and changed services, invalid ones (with every
 * alert), and removed ones.
 */
export interface LoadedTasks {
  readonly config: ServiceConfig;
  readonly tasks: ReadonlyMap<string, TaskDef>;
}

export class ServiceRegistry {
  private services = new Map<string, LoadedTasks>();
  /** Services whose file is there but refused, with why (the API lists them as not valid). */
  private readonly refused = new Map<string, string>();

  constructor(private readonly app: App) {}

  get(svc: string): LoadedTasks | undefined {
    return this.services.get(svc);
  }

  /** Every valid service, by path. */
  entries(): IterableIterator<[string, LoadedTasks]> {
    return this.services.entries();
  }

  get invalid(): ReadonlyMap<string, string> {
    return this.refused;
  }

  /** Every task of the valid services, with its time zone (the node's unless it sets one). */
  taskZones(): TaskZone[] {
    return [...this.services].flatMap(([svc, l]) => [...l.tasks.values()].map((t) => ({ svc, rid: t.rid, timezone: t.timezone ?? this.app.timezone })));
  }

  get size(): number {
    return this.services.size;
  }

  async load(): Promise<ServiceUpdate[]> {
    const updates: ServiceUpdate[] = [];
    const seen = new Set<string>();
    // The host zone is looked up once per load, not once per schedule (an Intl call each).
    const app: App = Object.create(this.app, { timezone: { value: this.app.timezone } }) as App;
    for (const path of this.app.configFiles.list()) {
      const svc = formatObjectPath(path);
      seen.add(svc);
      updates.push(await this.loadOne(app, svc, path));
    }
    for (const svc of [...this.services.keys()]) {
      if (!seen.has(svc)) {
        this.services.delete(svc);
        this.refused.delete(svc);
        updates.push({ kind: "removed", svc });
      }
    }
    for (const svc of [...this.refused.keys()]) if (!seen.has(svc)) this.refused.delete(svc);
    return updates;
  }

  private async loadOne(app: App, svc: string, path: ObjectPath): Promise<ServiceUpdate> {
    const update = await this.readOne(app, svc, path);
    if (update.kind === "invalid") this.refused.set(svc, update.detail);
    else this.refused.delete(svc);
    return update;
  }

  private async readOne(app: App, svc: string, path: ObjectPath): Promise<ServiceUpdate> {
    let loaded;
    try {
      loaded = await readAndValidate(app, path);
    } catch (e) {
      this.services.delete(svc);
      return { kind: "invalid", svc, detail: (e as Error).message };
    }
    if (hasErrors(loaded.alerts) || !loaded.config.isNodeMember()) {
      this.services.delete(svc);
      const detail = hasErrors(loaded.alerts) ? loaded.alerts.filter((a) => a.level === "error").map(formatAlert).join("; ") : `this node is not in DEFAULT.nodes nor DEFAULT.drpnodes`;
      return { kind: "invalid", svc, detail };
    }
    const tasks = new Map(loaded.config.rids("task").map((rid) => [rid, taskDef(loaded.config, rid)]));
    this.services.set(svc, { config: loaded.config, tasks });
    const refused = resourceErrors(loaded.alerts);
    const suspensions = app.services.suspensions(loaded.config);
    return { kind: "tasks", svc, tasks: [...tasks.values()].map((t) => ({ ...this.scheduled(app.timezone, svc, t, refused.get(t.rid)), suspended: suspensions.read(t.rid) })) };
  }

  private scheduled(hostZone: string, svc: string, task: TaskDef, errors: readonly Alert[] | undefined): ScheduledTask {
    const retry = task.retry > 0 ? { count: task.retry, delayMs: task.retryDelayMs } : undefined;
    const base = { key: `${svc}/${task.rid}`, svc, rid: task.rid, catchup: task.catchup, catchupWindowMs: task.catchupWindowMs ?? null, retry, configDigest: digest(task) };
    if (errors !== undefined) return { ...base, schedule: null, notScheduledReason: "invalid-task", notScheduledDetail: errors.map(formatAlert).join("; ") };
    const reason = notScheduledReason(task);
    if (reason !== null) return { ...base, schedule: null, notScheduledReason: reason };
    try {
      const schedule = taskSchedule(task, svc, this.app.nodename, hostZone);
      const refused = noRunAheadReason(schedule, new Date(this.app.clock.now()));
      if (refused !== null) return { ...base, schedule: null, notScheduledReason: "no-run-ahead", notScheduledDetail: `schedule ${JSON.stringify(task.schedule)}: ${refused}` };
      return { ...base, schedule };
    } catch (e) {
      return { ...base, schedule: null, notScheduledReason: "schedule-error", notScheduledDetail: (e as Error).message };
    }
  }
}

/** Changes whenever anything that affects how or when the task runs changes. */
function digest(task: TaskDef): string {
  const plain = JSON.stringify(task, (_k, v: unknown) => (v instanceof Map ? [...v.entries()] : v));
  return createHash("sha1").update(plain).digest("hex");
}
