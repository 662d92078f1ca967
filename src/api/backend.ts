import type { Clock } from "../core/ports.js";
import type { HistoryStore } from "../core/history-store.js";
import type { ApiKeyAccess } from "../service/app.js";
import type { KeyStore } from "./keys.js";
import type { Principal } from "./principal.js";
import type { TaskZone } from "./daily-stats.js";
import type { Suspension } from "../core/suspension.js";
import type { SuspensionChange } from "../service/suspension.js";
import type { OneoffRequest } from "../run/oneoff.js";
import type { ClusterRouting } from "./cluster-proxy.js";

/**
 * What the API needs from the daemon, which implements it (daemon/api-backend.ts): the routes
 * are pure request → answer code over this port, and tests can give their own.
 */
export interface ApiBackend {
  readonly clock: Clock;
  readonly keys: KeyStore;
  /** The keys file, for the web UI's key management (admin): list, create, revoke under its lock. */
  readonly apiKeys: ApiKeyAccess;
  readonly history: HistoryStore;
  health(): Health;
  /** In a cluster (node.conf `[cluster]`): where requests about a service are answered (absent: always here). */
  readonly cluster?: ClusterRouting | null;
  /** Every configured service (the route filters by the caller's globs). */
  services(): Promise<readonly ServiceSummary[]>;
  /** `print status --format json` of one service; null when there is no such service. */
  serviceStatus(svc: string): Promise<unknown | null>;
  /** Each task of a service as the scheduler sees it; null when there is no such service. */
  tasks(svc: string): Promise<readonly TaskView[] | null>;
  /**
   * Starts the selected tasks of `svc` through the run pipeline (trigger `api`). Throws an
   * ApiProblem (404 unknown service or no task selected, 409 confirmation) before anything runs.
   */
  startRuns(svc: string, request: RunRequest, by: Principal): Promise<StartedRuns>;
  /**
   * Runs a command once in the service's task context (run/oneoff.ts; trigger `oneoff`, rid
   * `exec`). Throws an ApiProblem (404 unknown service, 400 a bad request, 403 another user
   * without admin, 409 in a cluster on a node that does not own the service) before anything runs.
   */
  startExec(svc: string, request: ExecRequest, by: Principal): Promise<StartedRuns>;
  /** Asks a run of this daemon's to stop (recorded `aborted`); false when this daemon is not running it. */
  stopRun(id: number, by: Principal): boolean;
  /** The zone a task's times are shown in: its `timezone`, else the host's. */
  taskZone(svc: string, rid: string): string;
  /**
   * Suspends or resumes a task's schedule through the same code path as the CLI (state file,
   * history record), and tells the scheduler at once. Throws ApiProblem 404 for an unknown
   * service or rid; the state it already has changes nothing (`changed` false).
   */
  setSuspended(svc: string, rid: string, change: SuspensionChange): Promise<SuspensionAnswer>;
  /** Up to `max` bytes of a file from `offset`; empty at its end; null when it does not exist. */
  readLog(file: string, offset: number, max: number): Promise<Buffer | null>;
  /** The Prometheus exposition of the daemon's metrics, with the services `covers` accepts. */
  metrics(covers: (svc: string) => boolean): string;
  /** Every configured task with its time zone, and the node's zone (for tasks no longer configured). */
  taskZones(): { readonly tasks: readonly TaskZone[]; readonly timezone: string };
  /** Says something in the daemon's log (refused requests, with the key's name, never the key). */
  log(level: "info" | "warning" | "error", text: string, fields: Readonly<Record<string, unknown>>): void;
}

export interface Health {
  readonly status: "ok" | "degraded" | "stopping";
  readonly node: string;
  readonly version: string;
  readonly uptimeS: number;
  readonly store: { readonly kind: string; readonly status: string; readonly [k: string]: unknown };
  /** Null when node.conf has no `[cluster]`. */
  readonly cluster: ClusterHealth | null;
}

export interface ClusterHealth {
  readonly name: string;
  readonly node: string;
  /** Whether this node's last look at etcd succeeded, and why not. */
  readonly etcdReachable: boolean;
  readonly etcdError: string | null;
  /** The failover services this node owns (and vouches for its lease), by path. */
  readonly owned: readonly string[];
}

export interface ServiceSummary {
  readonly path: string;
  readonly valid: boolean;
  /** Aggregate instance state (`up`, `down`, `warn`, `n/a`…, as print status), or null for an invalid service. */
  readonly state: string | null;
  /** Tasks whose last run failed (failed, timed out, aborted, interrupted). */
  readonly failing?: number;
  readonly tasks: number;
  readonly errors?: readonly string[];
}

/** A task as `GET …/tasks` shows it (times ISO 8601 UTC). */
export interface TaskView {
  readonly rid: string;
  /** The schedule expression, null when the task has none. */
  readonly schedule: string | null;
  readonly timezone: string;
  readonly tags: readonly string[];
  readonly confirmation: boolean;
  readonly nextRun: string | null;
  readonly lastScheduled: string | null;
  /** Why the daemon does not run it on schedule, in words; null when it does. */
  readonly notScheduled: string | null;
  readonly lastRun: { readonly id: number; readonly status: string; readonly startedAt: number; readonly durationMs: number | null; readonly trigger: string; readonly exitCode: number | null } | null;
  /** Who suspended its schedule, when (ISO 8601), why; null when it runs on schedule (then `nextRun` is null too). */
  readonly suspended: { readonly by: string; readonly at: string; readonly reason: string | null } | null;
  readonly [more: string]: unknown;
}

/** A task's suspension state after a suspend or resume request. */
export interface SuspensionAnswer {
  readonly svc: string;
  readonly rid: string;
  /** False when the task already was in the asked state (nothing was changed or recorded). */
  readonly changed: boolean;
  readonly suspended: Suspension | null;
}

export interface RunRequest {
  readonly rid?: string;
  readonly tags?: string;
  readonly subsets?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** Rids typed to confirm confirmation tasks (the body's `confirm`: one rid or a list). */
  readonly confirm: readonly string[];
  /** In a cluster: run a failover service's tasks here although this node does not own it (recorded as forced). */
  readonly force?: boolean;
  /** Set by the cluster check: the owner's fencing token (SVCMGR_FENCING_TOKEN) on the owner; why a forced run runs here (appended to `initiatedBy`). */
  readonly ownership?: { readonly token: number | null; readonly forcedNote: string | null };
}

/** A one-off command (run/oneoff.ts), with the cluster's word on where it may run, as for RunRequest. */
export interface ExecRequest extends OneoffRequest {
  /** In a cluster: run it here although this node does not own the failover service (recorded as forced). */
  readonly force?: boolean;
  /** Set by the cluster check (see RunRequest.ownership). */
  readonly ownership?: RunRequest["ownership"];
}

/** Runs handed to the pipeline: their record ids appear as each task's run begins. */
export interface StartedRuns {
  /** The request's session (its runs' `session`): `GET /api/v1/requests/{session}` follows it. */
  readonly session: string;
  readonly svc: string;
  /** The rids selected, in the order they run. */
  readonly selected: readonly string[];
  /** True once every selected task ended or was not run. */
  isDone(): boolean;
  /** Ids of the records written so far, in task order. */
  ids(): readonly number[];
  /** Resolves once the first record exists (or the whole request ended without one). */
  readonly started: Promise<void>;
  /** Resolves once every selected task ended (or was not run). */
  readonly done: Promise<void>;
}
