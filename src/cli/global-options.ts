import type { OptionSpec } from "./command.js";

/** Options every command accepts. */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  service: { type: "string", alias: "s", describe: "Service selector: a name (db), an object path (prod/svc/db), a glob (web*) or a comma list", requiresArg: true },
  root: { type: "string", describe: "Keep everything under DIR (DIR/etc, DIR/var, DIR/log) instead of /etc/svcmgr, /var/lib/svcmgr, /var/log/svcmgr; also SVCMGR_ROOT. As root, DIR and the dirs above it must be root's and writable by nobody else", requiresArg: true },
  history: { type: "string", describe: "The run history store: sqlite (the embedded database, the default) or a postgresql://USER@HOST[:PORT]/DATABASE URL shared by several nodes (password from ?passfile=FILE, PGPASSFILE, ~/.pgpass or PGPASSWORD); also SVCMGR_HISTORY; overrides node.conf [history] store", requiresArg: true },
  node: { type: "string", describe: "This node's name (in run records, {nodename}, nodes membership, the cluster); also SVCMGR_NODENAME; overrides node.conf [node] name; default the host name", requiresArg: true },
  debug: { type: "boolean", describe: "Show stack traces and debug details" },
};
