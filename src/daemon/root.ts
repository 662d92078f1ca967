import type { App } from "../service/app.js";
import type { Alert } from "../core/alert.js";
import { formatAlert } from "../core/alert.js";
import { ActionError } from "../core/errors.js";
import type { DaemonLog } from "../core/ports.js";
import type { HistoryStore, PrunePolicy, SpoolEvents } from "../core/history-store.js";
import { apiKeyPaths, daemonPaths, objectLogFile } from "../core/paths.js";
import { watchedKeyStore } from "../platform/api-key-file.js";
import { readFileRange } from "../platform/file-range.js";
import { readUiVendor } from "../platform/ui-vendor.js";
import type { ServiceConfig } from "../config/service.js";
import { nodeConfig } from "../service/node-config.js";
import type { ClusterSettings } from "../config/node-config.js";
import { createEtcdClient, DEFAULT_ETCD_TIMEOUT_MS } from "../platform/etcd-client.js";
import { createDaemonLog, fileSink, stdoutSink, type LogFormat } from "../platform/daemon-log.js";
import { acquirePidFile } from "../platform/pid-file.js";
import { createBackgroundStateFiles } from "../platform/background-state-files.js";
import { servicePorts } from "../platform/service-ports.js";
import { openServiceLogFile, sessionLog } from "../platform/service-log.js";
import type { RotatingFile } from "../platform/rotating-file.js";
import { watchConfig } from "../platform/config-watch.js";
import type { Listener } from "../platform/http-server.js";
import type { TcpListener } from "../service/listener.js";
import { prepareTaskDirs } from "../platform/task-dirs.js";
import { runCgroupReaper } from "../platform/cgroup-orphans.js";
import { runContainerReaper } from "../platform/podman-orphans.js";
import { cgroupScope, hostCgroups } from "../platform/cgroup.js";
import { nativeMode } from "../platform/native-addon.js";
import { Daemon } from "./daemon.js";
import { seededConfigFiles, type SeedOptions } from "./seed-source.js";
import { watchFile } from "../platform/file-watch.js";
import type { DaemonPlatform, DaemonSignals, ServiceLogs } from "./ports.js";

/**
 * The daemon process's composition root: the only place that builds the daemon's adapters
 * (its log, pid file, history, state-file writer, service logs, config watch, socket,
 * signals) and hands them to the Daemon.
 */
export interface DaemonRunOptions {
  readonly maxParallel: number;
  readonly graceMs: number;
  readonly logFormat: LogFormat;
  /** Null: the log goes to stdout (foreground, for systemd's journal). */
  readonly logFile: string | null;
  readonly retention: PrunePolicy;
  readonly daemonUser: string;
  /** node.conf's warnings, said once in the log. */
  readonly nodeWarnings: readonly Alert[];
  /** The API's TCP listener (`--listen`, node.conf [listener]), or null: the socket only. */
  readonly tcp: TcpListener | null;
  /** `[listener] metrics_public`: /metrics without a key. */
  readonly metricsPublic: boolean;
  /** `--seed`, node.conf [node] seed: a job file scheduled as one more service, watched (seed-source.ts). */
  readonly seed: SeedOptions | null;
}

const RELOAD_DEBOUNCE_MS = 300;
/** Backs the directory watches: every config file's inode, size and mtime are compared this often. */
const CONFIG_POLL_MS = 5_000;

/** How long the stopping daemon waits for its history store to close (a server that stopped answering). */
const CLOSE_MS = 5_000;
/** Once stopped, the daemon process ends within this time even if a stray handle would keep it alive. */
const EXIT_AFTER_STOP_MS = 2_000;

export async function runDaemon(app: App, opts: DaemonRunOptions): Promise<number> {
  const code = await runDaemonUntilStopped(app, opts);
  // Everything is recorded and closed: nothing may keep a stopped daemon's process alive.
  setTimeout(() => process.exit(code), EXIT_AFTER_STOP_MS).unref();
  return code;
}

async function closeWithin(closing: Promise<void>, ms: number, onSlow: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      onSlow();
      resolve();
    }, ms);
  });
  await Promise.race([closing.catch(() => undefined), slow]);
  clearTimeout(timer);
}

async function runDaemonUntilStopped(app: App, opts: DaemonRunOptions): Promise<number> {
  // A daemon holds no directory of the shell that started it (a mount it would keep busy);
  // paths are absolute from here on (createApp resolves --root), tasks get their own cwd.
  process.chdir("/");
  const log = openLog(app, opts);
  try {
    for (const w of opts.nodeWarnings) log.write("warning", formatAlert(w), { event: "node-config" });
    const pid = acquirePidFile(app.daemon.pidFile, app.clock.now());
    if (!pid.ok) {
      const who = pid.owner === null ? "starting" : `pid ${pid.owner.pid}`;
      throw new ActionError(`a daemon is already running for ${app.paths.var} (${who}); stop it with: svcmgr daemon stop`);
    }
    try {
      const history = await openCheckedHistory(app, log);
      try {
        return await runWith(app, opts, log, history);
      } finally {
        await closeWithin(history.close(), CLOSE_MS, () => log.write("warning", `the history store did not close within ${CLOSE_MS} ms: the daemon exits anyway (its records are committed)`, { event: "history-close-slow" }));
      }
    } finally {
      pid.release();
    }
  } finally {
    log.close();
  }
}

async function runWith(app: App, opts: DaemonRunOptions, log: DaemonLog, history: HistoryStore): Promise<number> {
  const stateFiles = createBackgroundStateFiles((path, err) => log.write("warning", `cannot write ${path}: ${err.message}`, { event: "state-write-failed" }));
  // The daemon's runs write their state files in the background, one batch per turn.
  const configFiles = opts.seed === null ? app.configFiles : seededConfigFiles(app, opts.seed, log);
  const daemonApp: App = { ...app, configFiles, services: servicePorts(app, stateFiles.write) };
  const keys = watchedKeyStore(apiKeyPaths(app.paths), (message) => log.write("error", message, { event: "api-keys" }));
  const platform: DaemonPlatform = {
    history,
    log,
    mode: nativeMode(),
    watchConfig: (onChange, onWatchError) => {
      const watchOpts = { debounceMs: RELOAD_DEBOUNCE_MS, pollMs: CONFIG_POLL_MS, onWatchError };
      const etc = watchConfig(app.paths.etc, onChange, watchOpts);
      const seed = opts.seed === null ? null : watchFile(opts.seed.file, onChange, watchOpts);
      return { close: () => (etc.close(), seed?.close()) };
    },
    // The HTTP server (and the fetch API it builds on) is loaded when the daemon serves, after it has started scheduling.
    serve: async (api) => (await import("../platform/http-server.js")).startApiServer(listeners(app, opts.tcp), api),
    adminUids: new Set([0, app.uid]),
    metricsPublic: opts.metricsPublic,
    ui: { vendor: readUiVendor(), secureCookie: opts.tcp?.tls !== undefined },
    keys,
    readLog: readFileRange,
    prepareTaskDirs,
    serviceLogs: serviceLogs(app),
    flushStateFiles: () => stateFiles.flush(),
    signals: processSignals(),
    runCgroups: runCgroupReaper(hostCgroups(cgroupScope(app.paths.var))),
    runContainers: runContainerReaper(app.runner, cgroupScope(app.paths.var)),
    orphans: nodeConfig(app).orphans,
    cluster: clusterPorts(nodeConfig(app).cluster),
  };
  try {
    return await new Daemon(daemonApp, opts, platform).run();
  } finally {
    keys.close();
  }
}

/** The etcd client of node.conf [cluster]: each request's deadline a third of the lease TTL (at most 2 s), so a hung etcd is seen before the lease can expire. */
function clusterPorts(settings: ClusterSettings | null): DaemonPlatform["cluster"] {
  if (settings === null) return null;
  const timeoutMs = Math.min(DEFAULT_ETCD_TIMEOUT_MS, Math.floor((settings.leaseTtlS * 1000) / 3));
  return { etcd: createEtcdClient({ endpoints: settings.etcd, timeoutMs }), settings, monotonic: () => performance.now() };
}

function listeners(app: App, tcp: TcpListener | null): Listener[] {
  const socket: Listener = { kind: "unix", path: daemonPaths(app.paths).socket };
  return tcp === null ? [socket] : [socket, { kind: "tcp", ...tcp }];
}

function openLog(app: App, opts: DaemonRunOptions): DaemonLog {
  const now = () => app.clock.now();
  const { maxSize, keep } = nodeConfig(app).log;
  const sink = opts.logFile !== null ? fileSink(opts.logFile, opts.logFormat, now, { maxBytes: maxSize, backups: keep }) : stdoutSink();
  return createDaemonLog(sink, opts.logFormat, now);
}

/** The history, checked page by page: a damaged one is refused (and said in the daemon log). */
async function openCheckedHistory(app: App, log: DaemonLog): Promise<HistoryStore> {
  try {
    return await app.history.open({ verify: true, spool: spoolLog(log) });
  } catch (e) {
    log.write("error", `not starting: ${(e as Error).message}`, { event: "history-refused" });
    throw e;
  }
}

/** What the PostgreSQL history's spool tells, in the daemon log. */
function spoolLog(log: DaemonLog): SpoolEvents {
  return {
    degraded: (reason, spool) =>
      log.write("warning", `history store degraded: ${reason}; tasks go on running, their records are written to ${spool} until the store answers again`, { event: "history-degraded", spool }),
    recovered: (r, spool) =>
      log.write("info", `history store recovered: ${r.spooled} spooled record(s) replayed from ${spool} (${r.inserted} written, ${r.known} already there, ${r.taken} whose slot was already recorded)`, {
        event: "history-recovered", spooled: r.spooled, inserted: r.inserted, known: r.known, taken: r.taken,
      }),
    replayFailed: (reason, spool) => log.write("error", `cannot replay the history spool ${spool}: ${reason}; tried again later`, { event: "history-replay-failed", spool }),
  };
}

/** One open, size-rotated file per service, shared by its runs' sessions. */
function serviceLogs(app: App): ServiceLogs {
  const files = new Map<string, RotatingFile>();
  const now = () => app.clock.now();
  const fileOf = (config: ServiceConfig): RotatingFile => {
    let f = files.get(config.name);
    if (f === undefined) {
      const { maxSize, keep } = nodeConfig(app).log;
      files.set(config.name, (f = openServiceLogFile(objectLogFile(app.paths, config.path), { now, maxBytes: maxSize, backups: keep })));
    }
    return f;
  };
  return {
    forSession: (config, session) => sessionLog(fileOf(config), { session, now }),
    closeAll: () => {
      for (const f of files.values()) f.close();
      files.clear();
    },
  };
}

function processSignals(): DaemonSignals {
  return {
    stopRequested: () =>
      new Promise((resolve) => {
        process.once("SIGTERM", () => resolve("SIGTERM"));
        process.once("SIGINT", () => resolve("SIGINT"));
      }),
    onReload: (handler) => {
      process.on("SIGHUP", handler);
      return () => void process.off("SIGHUP", handler);
    },
  };
}
