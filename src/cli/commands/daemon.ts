import { resolve } from "node:path";
import type { App } from "../../service/app.js";
import { ActionError, PermissionError, UsageError } from "../../core/errors.js";
import { parseDuration } from "../../core/duration.js";
import { defaultMaxParallel } from "../../scheduler/ports.js";
import { checkedNodeConfig, nodeConfig } from "../../service/node-config.js";
import { FORMAT_OPTION, type CliCommand, type OptionSpec, type ParsedArgs } from "../command.js";
import { RETENTION_OPTIONS, retentionPolicy } from "./history-prune.js";
import { tcpListener } from "../../service/listener.js";
import { SOURCE_FORMATS, type SourceFormat } from "../../import/job.js";
import type { NodeConfig } from "../../service/node-config.js";

const RUN_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  "max-parallel": { type: "number", describe: "Node-wide limit of tasks running at once; due runs beyond it wait in line (default: node.conf [node] max_parallel, else max(6, 2 × CPUs))", range: [1, 100_000] },
  grace: { type: "string", describe: "On stop, how long running tasks may take to finish before they are killed and recorded as aborted", default: "30s" },
  "log-format": { type: "string", describe: "Daemon log lines as text or JSON (one object per line)", choices: ["text", "json"], default: "text" },
  "log-file": { type: "string", describe: "Write the daemon log to this size-rotated file instead of stdout", requiresArg: true },
  listen: { type: "string", describe: "Also serve the HTTP API on TCP at HOST:PORT (besides <var>/daemon.sock); overrides node.conf [listener] addr/port. Off loopback, TLS ([listener] tls_cert, tls_key) is required", requiresArg: true },
  "insecure-http": { type: "boolean", describe: "Allow the API on a non-loopback address without TLS (API keys cross the network in clear text)" },
  seed: { type: "string", describe: "Also schedule the jobs of this file (a Supertask timetable, a cronjobs.json or a crontab) as a service named after it, and apply its edits as they are saved (only what changed; an invalid edit keeps the last good jobs); overrides node.conf [node] seed", requiresArg: true },
  "seed-from": { type: "string", describe: "The seed file's format (default: from its name and content)", choices: SOURCE_FORMATS, requiresArg: true },
  ...RETENTION_OPTIONS,
};

export const daemonRunCommand: CliCommand = {
  words: ["daemon", "run"],
  describe: "Run the scheduler in the foreground (for systemd): logs to stdout, SIGHUP reloads, SIGTERM stops gracefully",
  options: RUN_OPTIONS,
  examples: [["svcmgr daemon run --log-format json", "foreground, JSON log lines"]],
  async run(args, app) {
    const graceMs = parseDuration(String(args.grace), "s");
    if (graceMs === null) throw new UsageError(`--grace ${String(args.grace)}: expected a duration such as 30s or 2m`);
    const { config: node, alerts: nodeWarnings } = checkedNodeConfig(app); // an invalid node.conf stops the daemon here, with every error
    const maxParallel = args["max-parallel"] !== undefined ? Number(args["max-parallel"]) : (node.maxParallel ?? defaultMaxParallel(app.cpus));
    const tcp = tcpListener(typeof args.listen === "string" ? args.listen : undefined, node, args["insecure-http"] === true);
    app.services.prepareStateDirs();
    const { runDaemon } = await import("../../daemon/root.js");
    return runDaemon(app, {
      maxParallel, graceMs, nodeWarnings,
      logFormat: args["log-format"] === "json" ? "json" : "text",
      logFile: typeof args["log-file"] === "string" ? resolve(args["log-file"]) : null,
      retention: retentionPolicy(args, node),
      daemonUser: app.users.user(String(app.uid))?.name ?? String(app.uid),
      tcp, metricsPublic: node.values.listener.metrics_public?.value === true,
      seed: seedOption(args, node, app.paths.etc),
    });
  },
};

export const daemonStartCommand: CliCommand = {
  words: ["daemon", "start"],
  describe: "Start the scheduler in the background (pid file under the var dir, log in <log>/daemon.log)",
  options: RUN_OPTIONS,
  async run(args, app) {
    app.services.prepareStateDirs(); // refused here, on the terminal, rather than in the log
    const running = app.daemon.running();
    if (running !== null) throw new ActionError(`a daemon is already running (pid ${running.pid})`);
    const node = nodeConfig(app); // an invalid node.conf: say why here, not in a log nobody reads
    tcpListener(typeof args.listen === "string" ? args.listen : undefined, node, args["insecure-http"] === true); // and a listener it would refuse
    // The daemon runs detached, its stderr nowhere: a damaged history is refused here, where it can be said.
    await (await app.history.open({ verify: true })).close();
    const logFile = resolve(typeof args["log-file"] === "string" ? args["log-file"] : app.daemon.logFile);
    const child = app.daemon.spawnDetached([...rootArgs(app), "daemon", "run", "--log-file", logFile, ...passThrough(args)]);
    // Only the process this command started counts: when several starts race, one daemon wins
    // the pid file's lock and the others exit; their commands then name the winner.
    const started = await waitFor(() => (app.daemon.running()?.pid === child.pid ? child.pid : null), 10_000, child.exited);
    if (started === null) {
      const other = app.daemon.running();
      if (other !== null && other.pid !== child.pid) throw new ActionError(`a daemon is already running (pid ${other.pid})`);
      throw new ActionError(`the daemon did not start; see ${logFile}`);
    }
    // Started means answering: `daemon status` (or an API client) right after this finds the socket.
    const answering = await waitForAsync(async () => ((await app.daemon.ask("/api/v1/health", 1000)).ok ? true : null), 10_000, child.exited);
    if (answering === null) app.stderr.write(`svcmgr: the daemon runs but its API does not answer yet on ${app.daemon.socket}; see ${logFile}\n`);
    app.stdout.write(`daemon started (pid ${started}), log: ${logFile}\n`);
    return 0;
  },
};

export const daemonStopCommand: CliCommand = {
  words: ["daemon", "stop"],
  describe: "Stop the daemon (SIGTERM): no new runs; running tasks finish within its grace period, the rest are aborted and recorded",
  options: { timeout: { type: "string", describe: "How long to wait for it to exit (a duration: 60s, 2m)", default: "60s" } },
  async run(args, app) {
    const info = app.daemon.running();
    if (info === null) {
      app.stdout.write("no daemon running\n");
      return 0;
    }
    if (!app.daemon.signal(info.pid)) {
      throw new PermissionError(`not permitted to stop the daemon (pid ${info.pid}): it runs as another user; run svcmgr daemon stop as root or as that user`);
    }
    const waitMs = parseDuration(String(args.timeout), "s") ?? 60_000;
    const gone = await waitFor(() => (app.daemon.isAlive(info.pid, info.startTime) ? null : true), waitMs, () => false);
    if (gone === null) throw new ActionError(`daemon (pid ${info.pid}) still running after ${String(args.timeout)}`);
    app.stdout.write(`daemon stopped (pid ${info.pid})\n`);
    return 0;
  },
};

/** How long `daemon status` waits for the daemon to answer on its socket. */
const STATUS_TIMEOUT_MS = 3000;

export const daemonStatusCommand: CliCommand = {
  words: ["daemon", "status"],
  describe: "Is the daemon running, and what it schedules now, asked live on <var>/daemon.sock (exit 0 running and answering, 1 not running or not answering)",
  options: { format: FORMAT_OPTION },
  async run(args, app) {
    const socket = app.daemon.socket;
    const info = app.daemon.running();
    const json = args.format === "json";
    if (info === null) {
      app.stdout.write(json ? JSON.stringify({ running: false, pid: null }, null, 2) + "\n" : "daemon: not running\n");
      return 1;
    }
    const answer = await app.daemon.ask("/api/v1/daemon", STATUS_TIMEOUT_MS);
    if (!answer.ok || answer.status !== 200) {
      const why = answer.ok ? `HTTP ${answer.status}` : answer.reason;
      const text = `daemon: running (pid ${info.pid}) but not answering on ${socket}: ${why}`;
      if (json) app.stdout.write(JSON.stringify({ running: true, answering: false, pid: info.pid, socket: socket, error: why }, null, 2) + "\n");
      else app.stdout.write(text + "\n");
      return 1;
    }
    const status = { ...(answer.body as Record<string, unknown>), answering: true };
    if (json) app.stdout.write(JSON.stringify(status, null, 2) + "\n");
    else app.stdout.write(renderStatus(status));
    return 0;
  },
};

function renderStatus(st: Record<string, unknown>): string {
  const head = `daemon: ${st.stopping === true ? "stopping" : "running"} (pid ${String(st.pid)}) since ${String(st.startedAt)}, up ${String(st.uptimeS)} s, node ${String(st.node)}, svcmgr ${String(st.version)}\n`;
  const keys = ["services", "tasks", "scheduled", "suspended", "runningTasks", "queuedTasks", "nextWake", "orphans"];
  return head + keys.map((k) => `  ${k}: ${st[k] === null ? "-" : String(st[k])}`).join("\n") + "\n";
}

export const daemonCommands: readonly CliCommand[] = [daemonRunCommand, daemonStartCommand, daemonStopCommand, daemonStatusCommand];

/** `--root DIR` when this invocation has one (its var dir is DIR/var), so the child uses the same root. */
function rootArgs(app: App): string[] {
  return app.paths.var === "/var/lib/svcmgr" ? [] : ["--root", app.paths.var.replace(/\/var$/, "")];
}

/** `--seed` (relative to the current directory) over node.conf [node] seed (relative to the etc dir). */
function seedOption(args: ParsedArgs, node: NodeConfig, etc: string): { file: string; from: SourceFormat | null } | null {
  const from = (typeof args["seed-from"] === "string" ? args["seed-from"] : node.seed?.from ?? null) as SourceFormat | null;
  if (typeof args.seed === "string") return { file: resolve(args.seed), from };
  return node.seed === null ? null : { file: resolve(etc, node.seed.file), from };
}

function passThrough(args: ParsedArgs): string[] {
  const out: string[] = [];
  for (const key of ["max-parallel", "grace", "log-format", "keep-runs", "keep-days", "listen", "seed-from"]) if (args[key] !== undefined) out.push(`--${key}`, String(args[key]));
  if (typeof args.seed === "string") out.push("--seed", resolve(args.seed)); // the daemon runs from /
  if (args["insecure-http"] === true) out.push("--insecure-http");
  return out;
}

async function waitForAsync<T>(probe: () => Promise<T | null>, timeoutMs: number, giveUp: () => boolean): Promise<T | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !giveUp()) {
    const v = await probe();
    if (v !== null) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  return null;
}

async function waitFor<T>(probe: () => T | null, timeoutMs: number, giveUp: () => boolean): Promise<T | null> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = probe();
    if (v !== null) return v;
    if (giveUp()) return null;
    await new Promise((r) => setTimeout(r, 50));
  }
  return null;
}
