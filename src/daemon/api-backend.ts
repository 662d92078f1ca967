import type { App } from "../service/app.js";
import type { HistoryStore } from "../core/history-store.js";
import type { KeyStore } from "../core/api-key.js";
import type { DaemonLog } from "../core/ports.js";
import { formatObjectPath } from "../core/object-path.js";
import { svcmgrVersion } from "../core/version.js";
import type { TaskSnapshot } from "../scheduler/task-state.js";
import { describeNotScheduled, taskKey } from "../scheduler/task.js";
import { statusReport } from "../service/status-report.js";
import type { ApiBackend, ExecRequest, Health, RunRequest, ServiceSummary, StartedRuns, SuspensionAnswer, TaskView } from "../api/backend.js";
import { suspensionView } from "../core/suspension.js";
import type { SuspensionChange } from "../service/suspension.js";
import type { Principal } from "../api/principal.js";
import { ApiProblem } from "../api/problem.js";
import type { ServiceRegistry } from "./service-registry.js";
import { manualRunVerdict } from "../service/cluster-check.js";
import { clusterHealth, clusterMetrics, clusterRouting, type ApiCluster } from "./api-cluster.js";

/**
 * The daemon's side of the API port: services and tasks from the registry and the scheduler,
 * records from the history, runs through `startRuns` (api-runs.ts). Reads only: every change
 * goes through the same code paths as the CLI's.
 */
export interface ApiBackendDeps {
  readonly app: App;
  readonly registry: ServiceRegistry;
  readonly history: HistoryStore;
  readonly keys: KeyStore;
  readonly log: DaemonLog;
  readonly startedAt: number;
  readonly stopping: () => boolean;
  readonly snapshot: () => { readonly tasks: readonly TaskSnapshot[] };
  readonly invalid: () => ReadonlyMap<string, string>;
  readonly startRuns: (svc: string, request: RunRequest, by: Principal) => StartedRuns;
  readonly startExec: (svc: string, request: ExecRequest, by: Principal) => StartedRuns;
  readonly setSuspended: (svc: string, rid: string, change: SuspensionChange) => Promise<SuspensionAnswer>;
  readonly readLog: (file: string, offset: number, max: number) => Promise<Buffer | null>;
  readonly stopRun: (id: number, by: string) => boolean;
  /** Tasks of a service whose last run failed (from the daemon's metrics: no history read). */
  readonly failing: (svc: string) => number;
  readonly store: () => Health["store"];
  readonly metrics: ApiBackend["metrics"];
  readonly taskZones: ApiBackend["taskZones"];
  /** In a cluster: its name and this node's member; null otherwise. */
  readonly cluster?: ApiCluster | null;
}

export function createApiBackend(d: ApiBackendDeps): ApiBackend {
  const { app } = d;
  const services = serviceLister(d);
  /**
   * The cluster's word on a run request (run-now, exec) before anything starts: refused (409
   * naming the owner) on a node that does not own a failover service, unless forced; else the
   * request with the owner's fencing token or why it was forced.
   */
  const withOwnership = async <R extends { readonly force?: boolean; readonly ownership?: RunRequest["ownership"] }>(svc: string, request: R, forceOption: string): Promise<R> => {
    const loaded = d.registry.get(svc);
    if (loaded === undefined) return request;
    const verdict = await manualRunVerdict(app, loaded.config, request.force === true, `"force": true (${forceOption})`);
    if (verdict.kind === "refuse") throw new ApiProblem(409, verdict.message, { owner: verdict.owner });
    return { ...request, ownership: { token: verdict.token, forcedNote: verdict.forcedNote } };
  };
  return {
    clock: app.clock,
    keys: d.keys,
    apiKeys: app.apiKeys,
    history: d.history,
    health: () => {
      const store = d.store();
      return {
        status: d.stopping() ? "stopping" : store.status === "ok" ? "ok" : "degraded",
        node: app.nodename, version: svcmgrVersion(), uptimeS: Math.max(0, Math.floor((app.clock.now() - d.startedAt) / 1000)),
        store, cluster: d.cluster == null ? null : clusterHealth(app, d.cluster),
      };
    },
    services,
    serviceStatus: async (svc) => {
      const loaded = d.registry.get(svc);
      if (loaded === undefined) return null;
      return statusReport(app, loaded.config, d.history);
    },
    tasks: (svc) => tasks(d, svc),
    startRuns: async (svc, request, by) => d.startRuns(svc, await withOwnership(svc, request, "run --detach --force"), by),
    startExec: async (svc, request, by) => d.startExec(svc, await withOwnership(svc, request, "exec --force"), by),
    setSuspended: d.setSuspended,
    readLog: d.readLog,
    stopRun: (id, by) => d.stopRun(id, by.name),
    taskZone: (svc, rid) => d.registry.get(svc)?.tasks.get(rid)?.timezone ?? app.timezone,
    metrics: d.cluster == null ? d.metrics : (covers) => d.metrics(covers) + clusterMetrics(d.cluster!, covers),
    cluster: d.cluster == null ? null : clusterRouting(app, d.registry),
    taskZones: d.taskZones,
    log: (level, text, fields) => d.log.write(level, text, fields),
  };
}

/** A service's state is probed (its resources) at most this often, whoever asks. */
const STATE_TTL_MS = 5_000;

function serviceLister(d: ApiBackendDeps): () => Promise<ServiceSummary[]> {
  const known = new Map<string, { at: number; state: string; failing: number }>();
  const stateOf = async (svc: string) => {
    const now = d.app.clock.now();
    const hit = known.get(svc);
    if (hit !== undefined && now - hit.at < STATE_TTL_MS) return hit;
    const loaded = d.registry.get(svc)!;
    // The resources' states only (no history read per task), the failing tasks from the metrics' last outcomes.
    const report = await statusReport(d.app, loaded.config, d.history, { runs: false });
    const fresh = { at: now, state: report.avail, failing: d.failing(svc) };
    known.set(svc, fresh);
    return fresh;
  };
  return async () => {
    const paths = d.app.configFiles.list().map(formatObjectPath);
    for (const svc of known.keys()) if (!paths.includes(svc)) known.delete(svc);
    return Promise.all(paths.map(async (svc): Promise<ServiceSummary> => {
      const loaded = d.registry.get(svc);
      if (loaded === undefined) return { path: svc, valid: false, state: null, tasks: 0, errors: [d.invalid().get(svc) ?? "not loaded yet"] };
      const { state, failing } = await stateOf(svc);
      return { path: svc, valid: true, state, tasks: loaded.tasks.size, failing };
    }));
  };
}

async function tasks(d: ApiBackendDeps, svc: string): Promise<TaskView[] | null> {
  const loaded = d.registry.get(svc);
  if (loaded === undefined) return null;
  const snap = new Map(d.snapshot().tasks.map((t) => [taskKey(t.svc, t.rid), t]));
  const suspensions = d.app.services.suspensions(loaded.config);
  return Promise.all(
    [...loaded.tasks.values()].map(async (t): Promise<TaskView> => {
      const s = snap.get(taskKey(svc, t.rid));
      const last = await d.history.lastRun(svc, t.rid, { ranOnly: true });
      const suspended = suspensions.read(t.rid);
      return {
        rid: t.rid,
        schedule: t.schedule === "" ? null : t.schedule,
        timezone: t.timezone ?? d.app.timezone,
        tags: t.tags,
        confirmation: t.confirmation,
        nextRun: suspended !== null ? null : (s?.nextWake?.toISOString() ?? null),
        lastScheduled: s?.lastScheduled?.toISOString() ?? null,
        notScheduled: s?.notScheduled == null ? (s === undefined ? "not planned yet" : null) : describeNotScheduled(s.notScheduled),
        suspended: suspensionView(suspended),
        lastRun: last === null ? null : { id: last.id, status: last.status, startedAt: last.startedAt, durationMs: last.durationMs, trigger: last.trigger, exitCode: last.exitCode },
      };
    }),
  );
}
