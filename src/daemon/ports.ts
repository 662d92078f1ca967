import type { DaemonLog } from "../core/ports.js";
import type { HistoryStore } from "../core/history-store.js";
import type { ServiceLog } from "../core/run-ports.js";
import type { ServiceConfig } from "../config/service.js";
import type { FetchHandler } from "../core/peer.js";
import type { KeyStore } from "../core/api-key.js";
import type { UiOptions } from "../ui/create-ui.js";
import type { RunCgroupReaper, RunContainerReaper } from "../core/ports.js";
import type { EtcdClient } from "../cluster/etcd.js";
import type { ClusterSettings } from "../config/node-config.js";

/**
 * What the daemon process needs beyond the App, built by its composition root (root.ts) from
 * the platform's adapters; tests of the daemon's logic can pass their own.
 */
export interface DaemonPlatform {
  /** The run history, checked at open; the root closes it. */
  readonly history: HistoryStore;
  readonly log: DaemonLog;
  /** Whether the native addon is in use, and why not. */
  readonly mode: { readonly native: boolean; readonly text: string };
  /** Calls `onChange` (debounced) when a config file under the etc dir may have changed. */
  watchConfig(onChange: () => void, onWatchError: (dir: string, e: Error) => void): { close(): void };
  /** Serves the API on the daemon's socket (and TCP listeners when configured). */
  serve(api: FetchHandler): Promise<{ readonly addresses: readonly string[]; close(): Promise<void> }>;
  /** Socket peers with these uids are admin without a key (root, the daemon's own uid). */
  readonly adminUids: ReadonlySet<number>;
  /** `[listener] metrics_public`. */
  readonly metricsPublic: boolean;
  /** The web UI's settings (its vendored scripts); null: no UI. */
  readonly ui: UiOptions | null;
  /** The API keys (`svcmgr apikey` writes them; read again when they change). */
  readonly keys: KeyStore;
  /** Up to `max` bytes of a run's output file from `offset`; null when there is no such file. */
  readLog(file: string, offset: number, max: number): Promise<Buffer | null>;
  /** Makes the scheduled tasks' run directories ahead of their first runs, in the background. */
  prepareTaskDirs(tasks: ReadonlyArray<{ varDir: string; rid: string }>, onError: (dir: string, err: Error) => void): Promise<void>;
  /** Service logs stay open across runs: one open file per service. */
  readonly serviceLogs: ServiceLogs;
  /** State files (last_run) written in the background: wait for them before exiting. */
  flushStateFiles(): Promise<void>;
  /** Stop and reload requests from outside (SIGTERM, SIGINT, SIGHUP). */
  readonly signals: DaemonSignals;
  /** The run cgroups of runs whose svcmgr is gone. */
  readonly runCgroups: RunCgroupReaper;
  /** The containers of runs of container tasks (type = podman). */
  readonly runContainers: RunContainerReaper;
  /** `[limits] orphans`: kill the processes of such runs at start, or wait for them. */
  readonly orphans: "kill" | "wait";
  /** node.conf `[cluster]`: the etcd client, the settings and a monotonic clock; null: a node on its own. */
  readonly cluster: { readonly etcd: EtcdClient; readonly settings: ClusterSettings; readonly monotonic: () => number } | null;
}

export interface ServiceLogs {
  /** The service's log, its lines tagged with `session`. */
  forSession(config: ServiceConfig, session: string): ServiceLog;
  closeAll(): void;
}

export interface DaemonSignals {
  /** Resolves with the signal's name at the first stop request. */
  stopRequested(): Promise<string>;
  onReload(handler: () => void): () => void;
}
