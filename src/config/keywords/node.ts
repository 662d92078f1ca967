import type { Keyword, NodeSectionKind } from "../keyword.js";

/**
 * The node configuration `<etc>/node.conf`: settings of this node as a whole, read by the
 * daemon and the CLI. Same dialect and machinery as services (keyword table, file:line alerts).
 */
const node: readonly Keyword[] = [
  { section: "node", option: "name", converter: "string", scopable: false, text: "This node's name. Default: the host name.", example: "db-1" },
  { section: "node", option: "lang", converter: "string", scopable: false, text: "The LANG given to every task run, whoever starts it (the caller's LANG never reaches a task). Default: C.UTF-8.", example: "C.UTF-8" },
  { section: "node", option: "max_parallel", converter: "int", min: 1, scopable: false, text: "How many tasks the daemon runs at once on this node; due runs beyond it wait in line. `daemon run --max-parallel` overrides it. Default: max(6, 2 × CPUs).", example: "8" },
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

export const NODE_KEYWORDS: Readonly<Record<NodeSectionKind, readonly Keyword[]>> = { node, log, history };

export const NODE_SECTION_KINDS = Object.keys(NODE_KEYWORDS) as NodeSectionKind[];

/** Sections of node.conf that later versions use; accepted with a warning. */
export const RESERVED_NODE_SECTIONS = ["listener", "cluster", "limits"] as const;
