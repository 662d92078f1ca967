import type { ObjectPath } from "./object-path.js";

/**
 * Where svcmgr keeps things. With a root DIR: DIR/etc, DIR/var, DIR/log;
 * otherwise /etc/svcmgr, /var/lib/svcmgr, /var/log/svcmgr.
 */
export interface Paths {
  readonly etc: string;
  readonly var: string;
  readonly log: string;
}

export function pathsFor(root: string | null): Paths {
  if (root === null || root === "") return { etc: "/etc/svcmgr", var: "/var/lib/svcmgr", log: "/var/log/svcmgr" };
  const r = root.replace(/\/+$/, "");
  return { etc: `${r}/etc`, var: `${r}/var`, log: `${r}/log` };
}

export function configFile(paths: Paths, p: ObjectPath): string {
  return p.namespace === null ? `${paths.etc}/${p.name}.conf` : `${paths.etc}/namespaces/${p.namespace}/${p.kind}/${p.name}.conf`;
}

/** The object's var dir: state files, per-resource dirs `<varDir>/<rid>/`, `scheduler/`. */
export function objectVarDir(paths: Paths, p: ObjectPath): string {
  return p.namespace === null ? `${paths.var}/${p.kind}/${p.name}` : `${paths.var}/namespaces/${p.namespace}/${p.kind}/${p.name}`;
}

export function objectLogFile(paths: Paths, p: ObjectPath): string {
  return p.namespace === null ? `${paths.log}/${p.name}.log` : `${paths.log}/namespaces/${p.namespace}/${p.kind}/${p.name}.log`;
}

/** The run history database, shared by the CLI and the daemon. */
export function historyDbFile(paths: Paths): string {
  return `${paths.var}/history.sqlite`;
}

/** The daemon's files: its pid file and socket under the var dir, its default log under the log dir. */
export function daemonPaths(paths: Paths): { readonly pidFile: string; readonly socket: string; readonly logFile: string } {
  return { pidFile: `${paths.var}/daemon.pid`, socket: `${paths.var}/daemon.sock`, logFile: `${paths.log}/daemon.log` };
}

/**
 * The API keys (`apikeys.json`: ids, SHA-256 of secrets, scopes; written by `svcmgr apikey`,
 * mode 0600) and their last use (`apikeys-used.json`, written by the daemon alone).
 */
export function apiKeyPaths(paths: Paths): { readonly keys: string; readonly lastUse: string } {
  return { keys: `${paths.var}/apikeys.json`, lastUse: `${paths.var}/apikeys-used.json` };
}

/** A task's own dir in its object's var dir (`varDir` from objectVarDir): `<varDir>/<rid>`. */
export function taskVarDir(varDir: string, rid: string): string {
  return `${varDir}/${rid}`;
}

/** A task's run directory, where its run files live: `<varDir>/<rid>/run`. */
export function taskRunDir(varDir: string, rid: string): string {
  return `${taskVarDir(varDir, rid)}/run`;
}

/** A task's `last_run` state file: JSON of its last run, replaced atomically after each run. */
export function lastRunFile(varDir: string, rid: string): string {
  return `${taskVarDir(varDir, rid)}/last_run`;
}

/**
 * A task's `suspended` state file (core/suspension.ts): JSON `{by, at, reason}` while its
 * schedule is suspended, absent otherwise; replaced atomically.
 */
export function suspendedFile(varDir: string, rid: string): string {
  return `${taskVarDir(varDir, rid)}/suspended`;
}

/** Where the daemon keeps record writes while its PostgreSQL history cannot be reached (replayed, then removed). */
export function historySpoolFile(paths: Paths): string {
  return `${paths.var}/history-spool.jsonl`;
}
