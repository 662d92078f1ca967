import { availableParallelism, hostname } from "node:os";
import { existsSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import type { App, ClusterAccess, DaemonAccess, HistoryAccess } from "../service/app.js";
import { apiKeyPaths, configFile, daemonPaths, historyDbFile, historySpoolFile, pathsFor, type Paths } from "../core/paths.js";
import type { Output } from "../core/output.js";
import { systemClock } from "./system-clock.js";
import { createUserDb } from "./user-db.js";
import { createProcessRunner } from "./process-runner.js";
import { cgroupScope } from "./cgroup.js";
import { createTtyPrompter } from "./tty-prompter.js";
import { stdOutput, type StdOutput } from "./std-output.js";
import { listServicePaths, readServiceFile, readTrustedFile } from "./config-files.js";
import { writeFileAtomic } from "./atomic-write.js";
import { parseYamlTree } from "./yaml-tree.js";
import { openHistoryStore } from "./sqlite/history-store.js";
import { moveAside } from "./sqlite/move-aside.js";
import { livePid } from "./pid-file.js";
import { isProcessAlive } from "./liveness.js";
import { callJsonWhenUp, getJson, streamText } from "./daemon-client.js";
import { servicePorts } from "./service-ports.js";
import { keyFileAccess } from "./api-key-file.js";
import { createEtcdClient } from "./etcd-client.js";
import type { WriteStateFile } from "./background-state-files.js";
import { nodeConfig } from "../service/node-config.js";
import { checkStoreUrl, maskPassword, postgresUrlOf } from "../core/store-url.js";
import { UsageError } from "../core/errors.js";
import { foldSpool, parseSpool, spooledCount } from "../history/spool.js";

export interface AppOptions {
  readonly root?: string;
  readonly debug?: boolean;
  /** `--history URL`: the history store, over SVCMGR_HISTORY and node.conf `[history] store`. */
  readonly history?: string;
  /** `--node NAME`: this node's name, over SVCMGR_NODENAME and node.conf `[node] name`. */
  readonly node?: string;
  /** How state files (last_run) are written: synchronously unless the daemon passes its background writer. */
  readonly writeState?: WriteStateFile;
}

/** How long a command waits for the socket of a daemon that is starting (it listens once its tasks are scheduled). */
const DAEMON_STARTING_MS = 5_000;

/** Builds the App from the platform's adapters: called once per process, by a composition root. */
export function createApp(opts: AppOptions): App {
  const env: NodeJS.ProcessEnv = { ...process.env }; // a plain copy: reading it is far cheaper than process.env
  let timezone: string | undefined;
  const root = opts.root ?? env.SVCMGR_ROOT ?? null;
  const paths = pathsFor(root === null || root === "" ? null : resolve(root)); // absolute: the daemon leaves the caller's cwd
  const uid = process.geteuid?.() ?? 0;
  // A daemon started from here gets the store through its environment: a password never shows in its argv.
  if (opts.history !== undefined) env.SVCMGR_HISTORY = opts.history;
  if (opts.node !== undefined) env.SVCMGR_NODENAME = opts.node; // and so does a daemon its name
  let nodename: string | undefined;
  const app: App = {
    paths,
    clock: systemClock,
    users: createUserDb(),
    runner: createProcessRunner({ cgroupScope: cgroupScope(paths.var) }),
    prompter: createTtyPrompter(),
    stdout: output(stdOutput("stdout"), env),
    stderr: output(stdOutput("stderr"), env),
    // node.conf is read only when a command needs the name.
    get nodename() {
      return (nodename ??= env.SVCMGR_NODENAME || nodeConfig(app).name || hostname());
    },
    uid,
    env,
    // Intl's first use costs ~10 ms: only pay it when a command needs the zone, and once.
    get timezone() {
      return (timezone ??= Intl.DateTimeFormat().resolvedOptions().timeZone);
    },
    cpus: availableParallelism(),
    debug: opts.debug ?? false,
    configFiles: {
      list: () => listServicePaths(paths),
      read: (path) => readServiceFile(paths, path, uid),
      write: (path, text) => {
        const file = configFile(paths, path);
        writeFileAtomic(file, text, 0o644);
        return file;
      },
    },
    sources: { read: (file) => readTrustedFile(resolve(file), uid), parseTree: parseYamlTree },
    history: historyAccess(paths, () => env.SVCMGR_HISTORY || nodeConfig(app).history.store, () => app.nodename),
    daemon: daemonAccess(paths, env),
    apiKeys: keyFileAccess(apiKeyPaths(paths)),
    cluster: clusterAccess(() => nodeConfig(app).cluster),
    get services() {
      return services;
    },
    removeFile: (path) => rm(path, { force: true }),
    readText: (path) => readFileSync(path, "utf8"),
  };
  const services = servicePorts(app, opts.writeState);
  return app;
}

/** One etcd client per process, built when a command first needs it (node.conf is read then). */
function clusterAccess(settings: () => { readonly name: string; readonly etcd: readonly string[] } | null): ClusterAccess {
  let opened: ReturnType<ClusterAccess["open"]> | undefined;
  return {
    open() {
      if (opened !== undefined) return opened;
      const s = settings();
      return (opened = s === null ? null : { name: s.name, etcd: createEtcdClient({ endpoints: s.etcd }) });
    },
    forward: (request, timeoutMs) => fetch(request, { signal: AbortSignal.timeout(timeoutMs), redirect: "manual" }),
  };
}

/** While the PostgreSQL history cannot be reached, how often the daemon tries it again. */
const SPOOL_PROBE_MS = 2_000;

/** `store`: the configured store, `sqlite` or a URL (read when first needed: node.conf may not be). */
function historyAccess(paths: Paths, store: () => string, nodename: () => string): HistoryAccess {
  const file = historyDbFile(paths);
  const url = (): string | null => {
    const s = store();
    const problem = checkStoreUrl(s);
    if (problem !== null) throw new UsageError(`--history/SVCMGR_HISTORY: bad history store "${maskPassword(s)}" (${problem}): expected sqlite or a postgresql://USER@HOST[:PORT]/DATABASE URL`);
    return postgresUrlOf(s);
  };
  return {
    file,
    shared: () => {
      const u = url();
      return u === null ? null : maskPassword(u);
    },
    exists: () => existsSync(file),
    open: async (options) => {
      const u = url();
      if (u === null) return openHistoryStore(file, options);
      const { openPostgresHistory } = await import("./postgres/store.js");
      if (options?.spool === undefined) return openPostgresHistory(u);
      const { openSpoolingHistory } = await import("./postgres/spooling-store.js");
      const { spoolFile } = await import("./postgres/spool-file.js");
      return openSpoolingHistory({
        url: u, where: maskPassword(u), spool: spoolFile(historySpoolFile(paths)), events: options.spool,
        probeMs: SPOOL_PROBE_MS, now: Date.now, open: openPostgresHistory,
      });
    },
    copyTo: async (target, onProgress) => {
      if (postgresUrlOf(target) === null || checkStoreUrl(target) !== null) {
        throw new UsageError(`--to: bad PostgreSQL URL "${maskPassword(target)}" (${checkStoreUrl(target) ?? "not a PostgreSQL URL"}): expected postgresql://USER@HOST[:PORT]/DATABASE`);
      }
      if (!existsSync(file)) throw new UsageError(`no embedded history to copy: ${file} does not exist`);
      const { migrateSqliteHistory } = await import("./postgres/migrate.js");
      return migrateSqliteHistory(file, target, nodename(), onProgress);
    },
    spooled: () => {
      const spool = historySpoolFile(paths);
      try {
        return { file: spool, records: existsSync(spool) ? spooledRecords(readFileSync(spool, "utf8")) : 0 };
      } catch {
        return { file: spool, records: 0 }; // not this user's to read: the daemon's own
      }
    },
    moveAside: (now) => moveAside(file, now),
  };
}

function spooledRecords(text: string): number {
  return spooledCount(foldSpool(parseSpool(text).entries));
}

function daemonAccess(paths: Paths, env: NodeJS.ProcessEnv): DaemonAccess {
  const files = daemonPaths(paths);
  return {
    ...files,
    running: () => livePid(files.pidFile),
    isAlive: isProcessAlive,
    spawnDetached: (args) => {
      const child = spawn(process.execPath, [resolve(process.argv[1]!), ...args], { detached: true, stdio: "ignore", env, cwd: "/" });
      child.unref();
      return { pid: child.pid ?? -1, exited: () => child.exitCode !== null || child.signalCode !== null };
    },
    signal: (pid) => {
      try {
        process.kill(pid, "SIGTERM");
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EPERM") throw e;
        return false;
      }
    },
    ask: (path, timeoutMs) => getJson(files.socket, path, timeoutMs),
    call: (call) => callJsonWhenUp(files.socket, call, DAEMON_STARTING_MS),
    stream: (path, onData, signal) => streamText(files.socket, path, onData, signal),
  };
}

function output(std: StdOutput, env: NodeJS.ProcessEnv): Output {
  return {
    write: (text) => std.write(text),
    writeBounded: (text) => std.writeBounded(text),
    get color() {
      return std.isTTY && env.NO_COLOR === undefined && env.TERM !== "dumb";
    },
  };
}
