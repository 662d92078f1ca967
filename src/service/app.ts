import type { Clock, Prompter, ProcessRunner, UserDb } from "../core/ports.js";
import type { Paths } from "../core/paths.js";
import type { Output } from "../core/output.js";
import type { ObjectPath } from "../core/object-path.js";
import type { HistoryStore, SpoolEvents } from "../core/history-store.js";
import type { CopyReport } from "../history/copy.js";
import type { RunRecorder, RunReporter, ServiceLog } from "../core/run-ports.js";
import type { ServiceConfig } from "../config/service.js";
import type { PipelineDeps } from "../run/pipeline-deps.js";
import type { StatusDeps } from "../resource/status.js";
import type { TreeParser } from "../import/tree.js";
import type { SuspensionFile } from "../core/suspension.js";
import type { StoredKey } from "../core/api-key.js";
import type { EtcdClient } from "../cluster/etcd.js";

/**
 * Everything a command needs from the outside world, built once per process by a composition
 * root (cli/main.ts for a CLI invocation, daemon/root.ts for the daemon, both through
 * platform/create-app.ts) and passed down explicitly. Nothing below reads globals or builds
 * an adapter of its own.
 */
export interface App {
  readonly paths: Paths;
  readonly clock: Clock;
  readonly users: UserDb;
  readonly runner: ProcessRunner;
  readonly prompter: Prompter;
  readonly stdout: Output;
  readonly stderr: Output;
  /** This host's name, for `nodes` membership, scoping and references. */
  readonly nodename: string;
  /** Effective uid of this process. */
  readonly uid: number;
  /** The environment svcmgr was started with (for {env.x}, SUDO_USER, --env). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Host time zone, the default for schedules. */
  readonly timezone: string;
  /** CPUs this process may use (the default node-wide limit derives from it). */
  readonly cpus: number;
  readonly debug: boolean;
  /** Service and node configuration files, read through the trusted-path checks. */
  readonly configFiles: ConfigFiles;
  /** The node's run history and its file. */
  readonly history: HistoryAccess;
  /** The daemon of this root, seen from outside it. */
  readonly daemon: DaemonAccess;
  /** What a service's runs and status need. */
  readonly services: ServicePorts;
  /** The daemon's API keys (`svcmgr apikey`). */
  readonly apiKeys: ApiKeyAccess;
  /** node.conf `[cluster]` and its etcd, seen from any command (cluster status, manual runs). */
  readonly cluster: ClusterAccess;
  /** Removes a file; a missing one is not an error. */
  removeFile(path: string): Promise<void>;
  /** A file's text (a run's full output); throws with the reason when it cannot be read. */
  readText(path: string): string;
  /** Other schedulers' job files (import, seeds). */
  readonly sources: SourceFiles;
}

export interface SourceFiles {
  /** A job file's text, with the checks of a config file (its commands may run as root); throws a ConfigError or NotFoundError. */
  read(file: string): string;
  /** YAML 1.2 / JSON into a line-numbered tree. */
  readonly parseTree: TreeParser;
}

export interface ConfigFiles {
  /** Every service with a config file under the etc dir, in a stable order. */
  list(): ObjectPath[];
  /** A config file's path and text (service or node.conf); refused when it is not safe to read. */
  read(path: ObjectPath): { file: string; text: string };
  /** Replaces (or creates) a service's config file at once (readers see the old or the new text); returns its path. */
  write(path: ObjectPath, text: string): string;
}

export interface HistoryAccess {
  /** The embedded database's file (used when no PostgreSQL store is configured). */
  readonly file: string;
  /**
   * The PostgreSQL store's URL, password masked (for messages), when `--history`,
   * SVCMGR_HISTORY or node.conf `[history] store` names one; null: the embedded SQLite file.
   */
  shared(): string | null;
  /** Whether the embedded database file exists. */
  exists(): boolean;
  /**
   * Opens the configured store (the embedded file is created when missing; a PostgreSQL
   * schema is migrated); `verify` checks every page of the embedded file first. The caller closes it.
   * With `spool` (the daemon), a PostgreSQL store that cannot be reached is `degraded`
   * instead of failing: writes go to the spool file until it answers again (design §13).
   */
  open(options?: { verify?: boolean; spool?: SpoolEvents }): Promise<HistoryStore>;
  /**
   * Copies the embedded history (records and output files' paths) into the PostgreSQL store at
   * `url`, idempotently (`history migrate`); `onProgress` after each batch.
   */
  copyTo(url: string, onProgress: (done: number, report: CopyReport) => void): Promise<CopyReport>;
  /** The spool file and how many records wait in it (0 when there is none). */
  spooled(): { readonly file: string; readonly records: number };
  /** Moves a damaged embedded database aside (with its WAL), keeping it; returns its new name. */
  moveAside(now: number): string;
}

export interface DaemonProcessInfo {
  readonly pid: number;
  readonly startTime: number | null;
  readonly startedAt: number;
}

export interface DaemonAccess {
  readonly pidFile: string;
  readonly socket: string;
  readonly logFile: string;
  /** The daemon of this root when one is alive. */
  running(): DaemonProcessInfo | null;
  /** Is that very process (pid and start time) still alive. */
  isAlive(pid: number, startTime: number | null): boolean;
  /** Starts `svcmgr ARGS` detached (no terminal, cwd /); its pid. */
  spawnDetached(args: readonly string[]): { readonly pid: number; exited(): boolean };
  /** SIGTERM; false when this user may not signal it. */
  signal(pid: number): boolean;
  /** GET on the daemon's socket: its JSON answer, or why there was none. */
  ask(path: string, timeoutMs: number): Promise<DaemonAnswer>;
  /** A JSON request to the daemon's API (as root on its socket: no key needed). */
  call(call: DaemonCall): Promise<DaemonAnswer>;
  /** A streamed GET (a followed run output): chunks to `onData` until the daemon ends it. */
  stream(path: string, onData: (chunk: Buffer) => void, signal?: AbortSignal): Promise<{ readonly ok: true; readonly status: number } | { readonly ok: false; readonly reason: string }>;
}

export type DaemonAnswer = { readonly ok: true; readonly status: number; readonly body: unknown } | { readonly ok: false; readonly reason: string };

export interface DaemonCall {
  readonly method?: "GET" | "POST";
  readonly path: string;
  readonly body?: unknown;
  readonly timeoutMs: number;
}

/**
 * The API keys file (`<var>/apikeys.json`, root's, mode 0600) and the daemon's notes of last
 * use. A file that cannot be read or parsed is an error naming it, never an empty list.
 */
export interface ApiKeyAccess {
  readonly file: string;
  /** Every stored key, revoked ones included. */
  list(): readonly StoredKey[];
  /**
   * Reads the keys, hands them to `change` and writes what it returns, durably, all under
   * an exclusive lock: two concurrent changes never lose one another's key.
   */
  update<T>(change: (keys: readonly StoredKey[]) => { readonly keys: readonly StoredKey[]; readonly result: T }): T;
  /** Each key's last successful use (epoch ms by key id), as the daemon last wrote it. */
  lastUse(): ReadonlyMap<string, number>;
}

export interface ClusterAccess {
  /** This node's cluster (its name, a client of its etcd endpoints), or null when node.conf sets no `[cluster] etcd`. */
  open(): { readonly name: string; readonly etcd: EtcdClient } | null;
  /** Sends an API request on to another node's daemon (the API's proxy to a service's owner); rejects when it cannot be reached within `timeoutMs`. */
  forward(request: Request, timeoutMs: number): Promise<Response>;
}

export interface ServicePorts {
  /** Makes the var and log dirs (refusing unsafe ones) before a command writes in them. */
  prepareStateDirs(): void;
  /** A new session id: one per action, in logs, records and SVCMGR_SESSION. */
  newSession(): string;
  /** Opens a service's log for one session. */
  openLog(config: ServiceConfig, session: string): ServiceLog;
  /** The run pipeline's ports for one service. */
  runPorts(config: ServiceConfig, recorder: RunRecorder, reporter: RunReporter): PipelineDeps;
  /** What resource states need (probes, app checks, last runs, live run counts). */
  statusPorts(config: ServiceConfig): StatusDeps;
  /** Whether the native addon is in use, and why not. */
  nativeMode(): { readonly native: boolean; readonly text: string };
  /** The suspension state files of a service's tasks. */
  suspensions(config: ServiceConfig): SuspensionFile;
}
