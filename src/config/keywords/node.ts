import type { Keyword, NodeSectionKind } from "../keyword.js";

/**
 * The node configuration `<etc>/node.conf`: settings of this node as a whole, read by the
 * daemon and the CLI. Same dialect and machinery as services (keyword table, file:line alerts).
 */
const node: readonly Keyword[] = [
  { section: "node", option: "name", converter: "string", scopable: false, text: "This node's name: in run records (`node`), `{nodename}` references, `nodes` membership and the cluster. `SVCMGR_NODENAME` or `--node NAME` override it. Default: the host name.", example: "db-1" },
  { section: "node", option: "lang", converter: "string", scopable: false, text: "The LANG given to every task run, whoever starts it (the caller's LANG never reaches a task). Default: C.UTF-8.", example: "C.UTF-8" },
  { section: "node", option: "seed", converter: "string", scopable: false, text: "A job file the daemon schedules like a service's tasks and watches: a Supertask timetable (YAML or JSON), a legacy cronjobs.json or a crontab. An edit is applied when the whole file is valid, and only what changed (unchanged jobs keep their schedule state); an invalid edit keeps the last good jobs and is logged. `daemon run --seed` overrides it.", example: "/etc/svcmgr/timetable.yaml" },
  { section: "node", option: "seed_from", converter: "enum", default: "", candidates: ["", "supertask", "supertask-legacy", "crontab"], scopable: false, text: "The seed file's format; empty: .yaml/.yml is a timetable, a .json list is a cronjobs.json and a .json object a timetable, anything else a crontab. `daemon run --seed-from` overrides it.", example: "crontab" },
  { section: "node", option: "max_parallel", converter: "int", min: 1, scopable: false, text: "How many tasks the daemon runs at once on this node; due runs beyond it wait in line. `daemon run --max-parallel` overrides it. Default: max(6, 2 × CPUs).", example: "8" },
];

const listener: readonly Keyword[] = [
  { section: "listener", option: "addr", converter: "string", scopable: false, text: "Address the daemon's HTTP API listens on over TCP, besides its Unix socket `<var>/daemon.sock` (always on). Unset: no TCP listener. An address other than loopback requires `tls_cert` and `tls_key` (or `daemon run --insecure-http`). `daemon run --listen HOST:PORT` overrides it.", example: "127.0.0.1" },
  { section: "listener", option: "port", converter: "int", min: 0, default: "7443", scopable: false, text: "TCP port of the API listener (with `addr`); 0 picks a free port (said in the daemon log).", example: "7443" },
  { section: "listener", option: "tls_cert", converter: "path", scopable: false, text: "PEM certificate (chain) of the API's TLS listener; with `tls_key`, the listener speaks HTTPS (TLS 1.2 or later).", example: "/etc/svcmgr/tls/api.crt" },
  { section: "listener", option: "tls_key", converter: "path", scopable: false, text: "PEM private key of `tls_cert` (keep it mode 0600).", example: "/etc/svcmgr/tls/api.key" },
  { section: "listener", option: "metrics_public", converter: "bool", default: "false", scopable: false, text: "Serve `/metrics` without an API key (for a Prometheus that cannot send one). Every other route still needs a key.", example: "true" },
];

const limits: readonly Keyword[] = [
  { section: "limits", option: "limit_memory", converter: "size", min: 1048576, scopable: false, text: "Default memory limit of a task run (its cgroup's memory.max) when the task sets none.", example: "2g" },
  { section: "limits", option: "limit_cpus", converter: "decimal", scopable: false, text: "Default CPU limit of a task run, in CPUs (its cgroup's cpu.max) when the task sets none.", example: "1.5" },
  { section: "limits", option: "limit_pids", converter: "int", min: 1, scopable: false, text: "Default limit on the number of processes of a task run (its cgroup's pids.max) when the task sets none.", example: "512" },
  { section: "limits", option: "orphans", converter: "enum", candidates: ["kill", "wait"], default: "kill", scopable: false, text: "What the daemon does when it starts and finds runs whose svcmgr was killed (kill -9, a crash) while their processes still run: `kill` kills every process of each such run (its cgroup, so `setsid` and double forks included) and records the run interrupted; `wait` leaves them running, starts no second copy of the task meanwhile, and records the run interrupted once its process has exited. Without writable cgroups the daemon always waits.", example: "wait" },
];

const cluster: readonly Keyword[] = [
  { section: "cluster", option: "name", converter: "string", scopable: false, text: "The cluster's name: nodes with the same name and etcd endpoints form one cluster.", example: "prod-eu" },
  { section: "cluster", option: "etcd", converter: "urls", scopable: false, text: "The etcd endpoints (comma list of http(s)://HOST:PORT) that hold the cluster's membership, ownership and slot claims.", example: "http://10.0.0.1:2379,http://10.0.0.2:2379" },
  { section: "cluster", option: "lease_ttl", converter: "duration", default: "10s", scopable: false, text: "TTL of this node's etcd lease, which holds its presence and the services it owns. An owner that cannot renew it stops claiming slots a quarter of the TTL before it can expire (and applies `on_ownership_loss`); another node takes the service over once it has expired. Whole seconds, at least 2. Shorter: faster hand-over, less tolerance of a slow etcd.", example: "5s" },
];

const log: readonly Keyword[] = [
  { section: "log", option: "max_size", converter: "size", default: "5m", min: 1024, scopable: false, text: "Size at which a service log (`<log>/<name>.log`) and the daemon's log file are rotated.", example: "20m" },
  { section: "log", option: "keep", converter: "int", default: "5", min: 0, scopable: false, text: "Rotated files kept per log (`.1` … `.N`); 0 keeps none.", example: "10" },
  { section: "log", option: "output_max", converter: "size", default: "10m", scopable: false, text: "Largest output file kept per run (`<log>/runs/…/<id>.log`): beyond it the first and last halves are kept and the cut is said in the file and in the run's record. 0: no limit. A task's `output_max` overrides it.", example: "50m" },
];

const history: readonly Keyword[] = [
  { section: "history", option: "store", converter: "store", default: "sqlite", secret: true, scopable: false, text: "Where the run history is kept: `sqlite`, the embedded database under the var dir, or a PostgreSQL database shared by several nodes, `postgresql://USER@HOST:PORT/DATABASE`. Leave the password out of the URL and give it in a password file (`?passfile=FILE` in the URL, `PGPASSFILE`, or `~/.pgpass`; mode 0600) or `PGPASSWORD`; a password written in the URL is never shown. `--history URL` overrides it.", example: "postgresql://svcmgr@db.example.com/svcmgr" },
  { section: "history", option: "keep_runs", converter: "int", default: "1000", min: 1, scopable: false, text: "History retention: runs kept per task, and apart from them as many skipped or missed records. Applied by the daemon (at start and every minute) and by `svcmgr history prune`; `--keep-runs` overrides it.", example: "200" },
  { section: "history", option: "keep_days", converter: "int", default: "90", min: 1, scopable: false, text: "History retention: records older than this many days are pruned, with their output files. `--keep-days` overrides it.", example: "30" },
];

export const NODE_KEYWORDS: Readonly<Record<NodeSectionKind, readonly Keyword[]>> = { node, listener, log, history, limits, cluster };

export const NODE_SECTION_KINDS = Object.keys(NODE_KEYWORDS) as NodeSectionKind[];

/** Sections of node.conf that later versions use; accepted with a warning. */
export const RESERVED_NODE_SECTIONS = [] as const;
