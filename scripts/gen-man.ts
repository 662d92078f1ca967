/**
 * Generates the manual pages:
 * - man/svcmgr.conf.5.md from the keyword table (src/config/keywords), then
 * - man/svcmgr.conf.5 and man/svcmgr.1 (roff) from it and the hand-written man/svcmgr.1.md,
 *   with marked-man.
 *
 *   node --import tsx scripts/gen-man.ts           write the files
 *   node --import tsx scripts/gen-man.ts --check   exit 1 when a committed file differs
 */
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Marked } from "marked";
import { KEYWORDS, SECTION_KINDS } from "../src/config/keywords/index.js";
import type { Keyword, NodeSectionKind, SectionKind } from "../src/config/keyword.js";
import { NODE_KEYWORDS, NODE_SECTION_KINDS, RESERVED_NODE_SECTIONS } from "../src/config/keywords/node.js";

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const MAN_DIR = join(REPO, "man");

/** The date in the page headers: fixed, so that the output only changes with the sources. */
const MAN_DATE = "2026-11-01T00:00:00Z";
const MANUAL = "svcmgr manual";

const SECTION_TITLES: Readonly<Record<SectionKind, string>> = {
  DEFAULT: "[DEFAULT]",
  task: "[task#N]",
  fs: "[fs#N]",
  ip: "[ip#N]",
  app: "[app#N]",
  subset: "[subset#task:NAME]",
};

const SECTION_INTROS: Readonly<Record<SectionKind, string>> = {
  DEFAULT: "Object-level keywords: where the service may run, the default schedule, time zone and catch-up policy of its tasks.",
  task: "A task (driver `task.host`): a command run on this host by hand (`svcmgr run`) or on schedule (`svcmgr daemon`).",
  fs: "A filesystem resource, status only: with `type = directory`, up when `path` exists; with a filesystem type, up when `mnt` is mounted (from `dev` when set). Keywords marked *mount* or *directory* apply to that kind only.",
  ip: "An address resource, status only: up when `ipname` is configured on a local interface (`ipdev` when set).",
  app: "An application resource, status only: its `check` command gives its state (exit 0 up, 1 down, anything else warn). svcmgr does not start or stop applications.",
  subset: "Options of a subset of tasks, named by the tasks' `subset` keyword.",
};

function keywordEntry(kw: Keyword): string {
  const facts = [`type: ${kw.converter}`];
  if (kw.required) facts.push(kw.requiredTypes === undefined ? "required" : `required for ${kw.requiredTypes.join(", ")}`);
  if (kw.scopable) facts.push("scopable");
  if (kw.types) facts.push(kw.types.join(", ") + " only");
  const lines = [`* \`${kw.option}\` (${facts.join(", ")}):`, `  ${kw.text}`];
  const more: string[] = [];
  if (kw.default !== undefined && kw.default !== "") more.push(`Default: \`${kw.default}\`.`);
  if (kw.inherit) more.push(`Falls back to \`DEFAULT.${kw.inherit}\`.`);
  if (kw.candidates) more.push(`Allowed values: ${kw.candidates.map((c) => (c === "" ? "empty" : `\`${c}\``)).join(", ")}.`);
  if (kw.min !== undefined) more.push(`Minimum: ${kw.min}.`);
  if (kw.ignored) more.push(`Ignored: ${kw.ignored}.`);
  if (kw.example) more.push(`Example: \`${kw.option} = ${kw.example}\``);
  if (more.length > 0) lines.push(`  ${more.join(" ")}`);
  return lines.join("\n");
}

/** The svcmgr.conf(5) page in markdown. */
export function confManMarkdown(): string {
  const keywordSections = SECTION_KINDS.map((kind) =>
    [`### ${SECTION_TITLES[kind]}`, "", SECTION_INTROS[kind], "", KEYWORDS[kind].map(keywordEntry).join("\n\n"), ""].join("\n"),
  ).join("\n");
  return `${HEAD}\n## KEYWORDS\n\nEvery keyword, by section, as \`svcmgr keywords\` lists them. *scopable* keywords accept \`@node\`, \`@nodes\` and \`@drpnodes\` scopes.\n\n${keywordSections}\n${nodeManMarkdown()}\n${TAIL}`;
}

const NODE_INTROS: Readonly<Record<NodeSectionKind, string>> = {
  node: "This node.",
  listener: "The daemon's HTTP API over TCP (it always serves its Unix socket, `<var>/daemon.sock`).",
  limits: "Default cgroup limits of task runs, for tasks that set none.",
  cluster: "Membership of a cluster whose nodes share failover services through etcd.",
  log: "Log files: the service logs and the daemon log file (rotated by size), and each run's output file (capped).",
  history: "Where the run history is kept, and its retention.",
};

/** The NODE CONFIGURATION section, from node.conf's keyword table. */
function nodeManMarkdown(): string {
  const sections = NODE_SECTION_KINDS.map((kind) => [`### [${kind}]`, "", NODE_INTROS[kind], "", NODE_KEYWORDS[kind].map(keywordEntry).join("\n\n"), ""].join("\n")).join("\n");
  return `## NODE CONFIGURATION

\`/etc/svcmgr/node.conf\` (\`DIR/etc/node.conf\` under \`--root DIR\`) holds the settings of the node as a whole, in the same dialect, checked the same way (\`svcmgr node validate\`, \`svcmgr node print config\`). Without the file every setting has its default. \`node\` and \`cluster\` are therefore not service names. A node.conf with errors is refused by every command that uses it (\`run\`, \`daemon\`, \`history prune\`), with every error listed. ${RESERVED_NODE_SECTIONS.length === 0 ? "" : `Sections ${RESERVED_NODE_SECTIONS.map((s) => `\`[${s}]\``).join(", ")} are reserved for later versions: accepted with a warning and ignored. `}The daemon reads node.conf when it starts (restart it after a change); a daemon option of the same meaning overrides the file.

    [node]
    max_parallel = 8

    [log]
    max_size = 20m
    keep = 10
    output_max = 50m

${sections}`;
}

const HEAD = `# svcmgr.conf(5) -- service configuration files of svcmgr

## SYNOPSIS

\`/etc/svcmgr/<name>.conf\`
\`/etc/svcmgr/namespaces/<namespace>/svc/<name>.conf\`
\`/etc/svcmgr/node.conf\` (see NODE CONFIGURATION)
\`DIR/etc/<name>.conf\` with \`svcmgr --root DIR\` or \`SVCMGR_ROOT=DIR\`

## DESCRIPTION

Each file describes one service: its resources (\`fs\`, \`ip\`, \`app\`), whose states gate task runs, and its tasks, run by hand with \`svcmgr -s <name> run\` or on schedule by \`svcmgr daemon\`. The sections and keywords follow OpenSVC's service configuration. When svcmgr runs as root, a file that is not owned by root, or that a group or other users can write (or a directory above it up to the etc dir), is refused.

\`svcmgr -s <name> validate config\` reports every problem at once, each with \`file:line\`, section, keyword and what is allowed: an unknown keyword is a warning with a "did you mean" hint, a bad value is an error. \`svcmgr -s <name> print config --eval\` shows every value as this node sees it.

## FILE FORMAT

An INI dialect, as Python's RawConfigParser reads it:

* \`key = value\` or \`key : value\`; keys are case-sensitive.
* Comments are full lines starting with \`#\` or \`;\`. There are **no inline comments**: in \`command = psql -c 'VACUUM ANALYZE;' # nightly\` everything after \`=\` is the value.
* A line indented deeper than its key continues the value; the lines are joined with newlines.
* No \`%\` interpolation.
* A duplicate section, or a duplicate key in one section, is an error naming both lines.

## SECTIONS

* \`[DEFAULT]\`: service-wide keywords.
* \`[env]\`: free keys, used through \`{env.key}\` references.
* \`[task#N]\`: a task. *N* is a number or a name (\`task#0\`, \`task#backup\`); tasks run in natural rid order (\`task#2\` before \`task#10\`). *N* names directories under the var and log dirs, so it is 1 to 64 letters, digits, \`_\`, \`-\` or \`.\`, starting with a letter, digit or \`_\` (the same for every resource); any other rid is an error.
* \`[fs#N]\`, \`[ip#N]\`, \`[app#N]\`: resources whose states \`run_requires\` and \`print status\` use.
* \`[subset#task:NAME]\`: options of the tasks whose \`subset\` is NAME.

Any other section name is an error, with the closest valid name as a hint (\`[tsk#1]\`: did you mean \`[task#1]\`?).

## SCOPING

A scopable keyword may have per-node values: \`keyword@<nodename>\` (full or short host name) wins over \`keyword@nodes\` (this node is in \`DEFAULT.nodes\`), which wins over \`keyword@drpnodes\` (this node is in \`DEFAULT.drpnodes\`), which wins over \`keyword\`.

    [task#backup]
    command = /usr/local/bin/backup
    schedule = @0
    schedule@db1 = 02:00-04:00

## REFERENCES

Values may contain references, replaced when the value is used:

* \`{name}\`, \`{short_name}\`, \`{path}\`, \`{namespace}\`, \`{kind}\`: the service.
* \`{nodename}\`, \`{short_nodename}\`: this host.
* \`{rid}\`, \`{rindex}\`, \`{rgroup}\`: the section (\`task#0\`, \`0\`, \`task\`).
* \`{var}\`, \`{etc}\`, \`{log}\`: svcmgr's directories; \`{private_var}\`: the service's var dir (\`<var>/svc/<name>\`).
* \`{env.key}\`: a key of the \`[env]\` section.
* \`{section.option}\`: another keyword's value, \`{option}\`: a keyword of the same section, or of \`[DEFAULT]\`.

Modifiers: \`{upper:ref}\`, \`{lower:ref}\`, \`{capitalize:ref}\`, \`{title:ref}\`, \`{swapcase:ref}\`; \`{#ref}\` is the number of whitespace-separated words of the value, \`{ref[n]}\` its n-th word (from 0). References may nest, up to 20 levels; one value may evaluate at most 1,000 references and grow to at most 128 KiB, so a loop or a fan-out is an error instead of a hang.

A text with the shape of a reference (\`{word}\`, \`{a.b}\`, \`{mod:word}\`) that resolves to nothing is an **error**: \`rm -rf {env.dir}/x\` without an \`env.dir\` is refused by \`validate config\`, by \`run\` and by the daemon, never run with the braces left in. Write \`{{\` and \`}}\` for literal braces (\`awk '{{print $1}}'\`). \`\${VAR}\` is shell syntax, never a reference, and is kept as written.

In a command (\`command\`, \`pre_run\`, \`on_error\`, \`check\`…) and in \`environment\`, each substituted value is **quoted** for the place it lands in (bare, inside \`"…"\`, inside \`'…'\`, inside \`$(…)\`): it stays one word and is never expanded or executed, whatever it holds (a space, \`$(…)\`, quotes). \`ls -d {private_var}\` under a root \`/srv/my root\` lists that one directory. To pass several arguments, write them in the command, not in one reference.

## SCHEDULES

\`schedule\` (or \`DEFAULT.run_schedule\`) takes either syntax. A value with 5 to 7 whitespace-separated fields, or \`@yearly\`, \`@monthly\`, \`@weekly\`, \`@daily\`, \`@hourly\`, is **cron**: \`minute hour day-of-month month day-of-week\`, with a leading seconds field when there are 6 and a trailing year field when there are 7; \`L\`, \`W\` and \`#\` are supported (\`0 0 * * 5L\`: the last Friday of each month). Anything else is the **OpenSVC** grammar:

    [!] TIMERANGES [DAYS [WEEKS [MONTHS]]]

* TIMERANGES: comma-separated \`HH:MM[-HH:MM][@INTERVAL]\`, \`*\` or \`@INTERVAL\` (the whole day). Without an interval a range runs once. A leading \`~\` spreads the start randomly over the range. An interval is a duration (\`30s\`, \`10m\`, \`1h\`, \`1.5h\`, \`1d\`); a bare number is minutes.
* DAYS: \`mon-fri\`, \`sat,sun\`, day-of-month \`:1\`, \`:last\`, \`:-2\`; \`fri:last\` means a Friday that is also the last day of the month (for the last Friday, use cron \`5L\`).
* WEEKS: ISO week numbers and ranges (\`1-26\`).
* MONTHS: \`jan-mar\`, \`%2\` (even months), \`%2+1\` (odd months).
* \`!\` makes an exclusion; several elements are given as a JSON list: \`["@1h", "! 12:00-14:00"]\`.
* \`@0\`, an empty value and \`[]\` mean no schedule: manual runs only. An invalid element makes the whole expression invalid.

Schedules are evaluated in the task's \`timezone\` (else \`DEFAULT.timezone\`, else the host's zone). The next run is computed from the last scheduled instant. Daylight saving time: a fixed-time run (\`30 2 * * *\`, a once-per-range window) that falls in the spring-forward gap runs once, right after the gap; one that falls in the repeated hour runs once, on the first pass; wildcard and interval schedules skip the missing times and run on both passes of the repeated hour. \`validate config\` warns about fixed times that meet a DST change.

There is no search horizon: the next run is found however far ahead it is (\`@800d\` runs again 800 days after its last slot; \`* mon:29 * feb\` finds 2044). A schedule that can never match (\`0 0 30 2 *\`, \`* *:31 * feb\`), or whose first run is more than 5 years ahead, is an error for \`validate config\`, naming the task, the schedule and the first run if there is one; \`print schedule\` gives that reason instead of a next run, and the daemon refuses that task (not the service) and says so once. A last run recorded more than 3 hours after now (a reset clock, or a record from another host) counts as now: the task does not stall until then. Within 3 hours it stands, so a fixed-time slot does not run twice after a small backward step of the clock; the daemon logs either case once per task with both instants.

An empty item in any list (\`02:00-04:00,\`, \`,*\`, \`mon,,tue\`) is an error ("stray comma"), as is a name from another field (\`* jan\`: jan is a month; \`* * mon\`: mon is a weekday) and a negative week, month, modulo or shift. A leading \`!\` always makes an OpenSVC exclusion (\`! * * * %2\`), never cron. \`~\` alone is \`~*\`: once a day at a spread time. When several ranges allow runs, the next run is the earliest of them, each \`~\` window counted at its spread time: a \`~\` window never postpones a run another range allows.

Preview any expression with \`svcmgr schedule next EXPRESSION --timezone ZONE --count N\` and \`svcmgr schedule check EXPRESSION --now TIME\`; see svcmgr(1).

## DAEMON POLICIES

When the daemon was stopped, or the clock jumped forward, past scheduled slots are handled by \`catchup\`: \`latest\` (the default) runs the newest missed slot once, \`none\` runs none, \`all\` runs each one (bounded); slots older than \`catchup_window\` are never run. Slots not run are recorded as \`missed\`. A slot that comes while the task already runs \`max_parallel\` times, or whose \`run_requires\` are unmet, is recorded as \`skipped\` with the reason. Tasks with \`confirmation = true\` are never scheduled.

## CONTAINER TASKS

\`type = podman\` runs the task's command in a new container of \`image\` (podman from the distribution, the \`runc\` runtime; no daemon):

    [task#report]
    type = podman
    image = registry.example.com/tools/report:2.3
    command = report --since yesterday
    environment = REPORT_DB=postgres://db/app
    volume_mounts = /srv/reports:/out
    user = 1000:1000
    limit_memory = 512m
    timeout = 30m
    schedule = 06:00

svcmgr runs \`podman run\` attached, naming the container \`svcmgr-<service>-<rid index>-<session>\` and labelling it (\`svcmgr.scope\`, \`svcmgr.session\`, \`svcmgr.service\`, \`svcmgr.rid\`); the container's output is the run's output, its exit code the run's (podman's own failures are 125 to 127: 125 with no container means podman could not create it, e.g. an image it could not pull). \`svcmgr -s SVC run --dry-run\` prints the whole \`podman run\` command line. \`podman run\` is only a client: when it ends, however it ended, svcmgr reads how the container ended and removes it (\`podman rm --force --time 0\`), so a timeout or a stop (Ctrl-C, \`runs stop\`, the daemon's grace period) leaves no container behind: SIGTERM is forwarded to the container (its \`init\` passes it on), then everything is killed after the grace period. A container left by a killed svcmgr (kill -9, a crash) is removed when the daemon next starts (\`[limits] orphans = kill\`), and the run recorded \`interrupted\` with the note "its container removed at daemon start".

The keywords of a podman task: \`image\`, \`command\` (split into words, no shell), \`entrypoint\`, \`run_args\`, \`volume_mounts\`, \`environment\`, \`image_pull_policy\`, \`init\`, \`user\` and \`cwd\` (the container's user and working directory: podman itself runs as svcmgr's user, and the triggers \`pre_run\`…\`on_error\` run on the host as that user too), \`limit_memory\`, \`limit_cpus\`, \`limit_pids\` (the container's own limits: \`--memory\` and \`--memory-swap\`, \`--cpus\`, \`--pids-limit\`; an OOM kill is recorded as for a host task, \`failed\` with a reason naming \`limit_memory\`) and every keyword that does not say "host only". \`group\`, \`umask\` and the rlimit keywords are errors on a podman task. The record's peak memory and CPU seconds are not measured for a container (they would be podman's client's). Without a \`--ulimit nofile=…\`/\`nproc=…\` in \`run_args\`, svcmgr passes its own hard limits as the container's (at most 1048576 and 32768): podman's defaults are higher than many hosts allow, and runc then fails with "error setting rlimit".

\`type = container_update\` (Supascale's task type, a preset of the podman driver) pulls an image and replaces the running container \`container\` with one of it:

    [task#update-web]
    type = container_update
    container = web
    image = registry.example.com/web:stable
    schedule = sun 04:00

The run is \`svcmgr container-update web --pull always --stop-timeout 10s --image …\` (see svcmgr(1)): pull (\`image_pull_policy\`, \`always\` by default here), stop the old container (\`stop_timeout\`), rename it \`<name>-previous\`, create the new one from the command line podman recorded for the old one (\`podman inspect\` .Config.CreateCommand: the same options, volumes, ports, environment and name; \`run\` made \`create\`, \`-d\` dropped, the image replaced), start it, then remove the old one. When the pull, the create or the start fails, the old container keeps (or gets back) its name and is started again; the run fails saying which step failed. Without \`image\`, the old container's image reference is pulled again (a moving tag such as \`:stable\`).

## CLUSTERS

With \`[cluster] etcd\` in node.conf, the node joins a cluster whose membership, service ownership and slot claims live in etcd (under \`/svcmgr/<cluster name>/\`). Each node's presence is a key on its lease (\`lease_ttl\`, default 10 s). A \`topology = failover\` service has one owner among its \`nodes\`, preferring their order; a live owner keeps it (a preferred node that comes back does not take it), and when the owner dies another node takes it over once the owner's lease has expired. Its scheduled tasks run on the owner only: each slot is claimed in etcd in one transaction that also checks the owner's fencing token (the owner key's create revision, given to the task as \`SVCMGR_FENCING_TOKEN\`), so a deposed owner starts nothing and no slot runs twice. A new owner continues from the newest slot claimed in the cluster, applying \`catchup\`. An owner that cannot renew its lease stops claiming a quarter of the TTL before the lease can expire and applies \`on_ownership_loss\` to its runs in progress (\`finish\` or \`kill\`). While etcd cannot be reached no node runs a failover service's slot; the node that would have run it records it \`skipped\` with the reason, and scheduling resumes by itself when etcd answers. Nodes that do not own a service record nothing for its slots. A \`topology = flex\` service runs its schedule on every node, unless a task says \`run_once = cluster\` (each slot on the one node that claims it first). A failover service whose \`nodes\` names this node alone, a flex task without \`run_once = cluster\`, and every service of a node without \`[cluster]\` run as on a single node, whether etcd answers or not.
`;

const TAIL = `## EXAMPLE

    [DEFAULT]
    timezone = Europe/Paris

    [env]
    dbname = appdb

    [fs#data]
    type = directory
    path = {private_var}/data

    [task#backup]
    command = pg_dump {env.dbname} > /backup/{env.dbname}-$(date +%F).sql
    user = postgres
    schedule = ~01:00-02:00
    timeout = 30m
    tags = backup nightly
    run_requires = fs#data(up)

    [task#restore]
    command = /usr/local/bin/restore-latest {env.dbname}
    confirmation = true
    tags = restore

More in the \`conf-examples/\` directory of the package.

## SEE ALSO

svcmgr(1)
`;

/** Renders a ronn-style markdown page to roff with marked-man. */
export async function toRoff(markdown: string, version: string): Promise<string> {
  // marked-man ships no types; import it through a computed specifier.
  const specifier: string = "marked-man";
  const markedMan = ((await import(specifier)) as { default: object }).default;
  const marked = new Marked(markedMan as never);
  const options = { date: MAN_DATE, manVersion: version, manual: MANUAL } as Record<string, unknown>;
  const roff = marked.parse(markdown, options as never) as string;
  // Code spans keep marked's HTML escapes for quotes; roff wants the characters.
  return roff.replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/^'/gm, "\\&'");
}

export interface ManFile {
  readonly path: string;
  readonly text: string;
}

/** Every generated file with its expected content. */
export async function generate(): Promise<ManFile[]> {
  const version = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version;
  const conf = confManMarkdown();
  const page1 = readFileSync(join(MAN_DIR, "svcmgr.1.md"), "utf8");
  return [
    { path: join(MAN_DIR, "svcmgr.conf.5.md"), text: conf },
    { path: join(MAN_DIR, "svcmgr.conf.5"), text: await toRoff(conf, version) },
    { path: join(MAN_DIR, "svcmgr.1"), text: await toRoff(page1, version) },
  ];
}

async function main(argv: readonly string[]): Promise<number> {
  const check = argv.includes("--check");
  let stale = 0;
  for (const f of await generate()) {
    let current: string | null = null;
    try {
      current = readFileSync(f.path, "utf8");
    } catch {
      current = null;
    }
    if (current === f.text) continue;
    if (check) {
      process.stderr.write(`${f.path} is out of date: run node --import tsx scripts/gen-man.ts\n`);
      stale++;
    } else {
      writeFileSync(f.path, f.text);
      process.stdout.write(`wrote ${f.path}\n`);
    }
  }
  return stale === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}
