import { LIMIT_NAMES } from "../../core/ports.js";
import type { Keyword } from "../keyword.js";
import { resourceKeywords } from "./common.js";

const section = "task" as const;

const limitKeywords: Keyword[] = LIMIT_NAMES.map((name) =>
  name === "cpu"
    ? { section, option: "limit_cpu", converter: "duration", scopable: true, text: "CPU time limit of the task's processes (RLIMIT_CPU).", example: "10m" }
    : { section, option: `limit_${name}`, converter: name === "nofile" || name === "nproc" ? "int" : "size", scopable: true, min: 0, text: `Resource limit RLIMIT_${name.toUpperCase()} of the task's processes (soft and hard).`, example: name === "nofile" ? "4096" : name === "nproc" ? "256" : "1g" },
);

/** Limits enforced by the run's cgroup (design §15); node.conf [limits] has the defaults. */
const cgroupKeywords: Keyword[] = [
  { section, option: "limit_memory", converter: "size", min: 1048576, scopable: true, text: "Memory limit of the run (its cgroup's memory.max, or memory.limit_in_bytes on cgroup v1; swap included where accounted): past it the kernel's OOM killer kills a process of the run, and the run is recorded failed, its reason naming the limit. Needs writable cgroups (root): where there are none the run is refused, never run without its limit. Default: node.conf `[limits] limit_memory`, else none.", example: "512m" },
  { section, option: "limit_cpus", converter: "decimal", scopable: true, text: "CPU limit of the run, in CPUs (its cgroup's cpu.max, or cpu.cfs_quota_us on cgroup v1): `0.5` is half of one CPU's time. Needs writable cgroups. Default: node.conf `[limits] limit_cpus`, else none.", example: "1.5" },
  { section, option: "limit_pids", converter: "int", min: 1, scopable: true, text: "Most processes (and threads) the run may have at once (its cgroup's pids.max): a fork beyond it fails. Needs writable cgroups. Default: node.conf `[limits] limit_pids`, else none.", example: "256" },
];

/** The [task#N] section (driver task.host). */
export const taskKeywords: readonly Keyword[] = [
  { section, option: "type", converter: "enum", default: "host", candidates: ["host"], scopable: false, text: "Task driver. Only `host` (a command on this host) is supported." },
  { section, option: "command", converter: "command", required: true, scopable: true, text: "The command to run. With shell syntax (pipes, redirections, `;`, `&&`, `$VAR`, globs, backquotes…) it runs as `/bin/sh -c COMMAND`; otherwise it is split like a POSIX shell and executed directly. References such as {name} and {env.x} are replaced first, each value quoted as one shell word.", example: "/usr/local/bin/backup --full" },
  { section, option: "user", converter: "string", scopable: true, text: "Run as this user (name or uid); needs svcmgr to run as root. A user that does not exist on this node is a validation error that refuses this task only. HOME, USER, LOGNAME and SHELL are those of the user (PATH is the same fixed one for every run), the supplementary groups those of the group database, and the working directory defaults to the user's home.", example: "postgres" },
  { section, option: "group", converter: "string", scopable: true, text: "Run with this primary group (name or gid). Default: the user's primary group.", example: "backup" },
  { section, option: "cwd", converter: "string", scopable: true, text: "Working directory. Default: the home of the user the task runs as (`user`, else the one running svcmgr); `/` for root. Never the directory svcmgr was started from.", example: "/srv/db" },
  { section, option: "umask", converter: "umask", scopable: true, text: "Octal umask of the task's processes.", example: "027" },
  { section, option: "environment", converter: "environment", default: "", scopable: true, text: "Extra environment variables as shell words `NAME=value` (names kept as written). They come after the clean base (PATH, HOME, USER, LOGNAME, SHELL, LANG, TZ) and svcmgr's SVCMGR_* variables, before `run --env`.", example: "PGDATABASE=app BACKUP_DIR=/backup" },
  { section, option: "timeout", converter: "duration", scopable: true, text: "Maximum time of the whole run, triggers included: one deadline from the start of the run, not a fresh timeout per trigger. At the deadline the running command's whole process group (and every process of the run's cgroup, where cgroups are writable: `setsid` cannot escape it) gets SIGTERM, then SIGKILL 5 seconds later, and no further stage starts; the run is recorded as timed out, saying where and whether SIGKILL was needed. `on_error` still gets 10 seconds after the deadline. Default: no limit.", example: "30m" },
  { section, option: "confirmation", converter: "bool", default: "false", scopable: true, text: "Ask a human to type `yes` (30 s timeout) before each manual run, unless `run --confirm` is given. Such a task is never scheduled, and `run --cron` refuses it.", example: "true" },
  { section, option: "schedule", converter: "schedule", inherit: "run_schedule", scopable: true, text: "When the daemon runs the task: OpenSVC grammar (`02:00-04:00@60 mon-fri`, `@10m`, `[\"…\", \"! …\"]`) or cron (`30 2 * * *`, `@daily`). Empty or `@0`: manual runs only. Falls back to DEFAULT.run_schedule.", example: "02:00" },
  { section, option: "timezone", converter: "timezone", inherit: "timezone", scopable: true, text: "IANA time zone the schedule is evaluated in, also exported to the task as TZ. Default: DEFAULT.timezone, else the host's zone (and no TZ).", example: "UTC" },
  { section, option: "catchup", converter: "enum", default: "latest", inherit: "catchup", candidates: ["latest", "none", "all"], scopable: true, text: "What the daemon does with slots missed while it was down or the clock jumped forward: `latest` runs the most recent missed slot once, `none` runs none, `all` runs the missed slots one after another, oldest first, each recorded against its own slot: at most the 24 most recent, and at most 24 waiting at a time (slots due meanwhile join the line). Slots not run are recorded as missed.", example: "none" },
  { section, option: "catchup_window", converter: "duration", inherit: "catchup_window", scopable: true, text: "Missed slots older than this are recorded as missed and never run. Default: no limit.", example: "6h" },
  { section, option: "retry", converter: "int", default: "0", min: 0, scopable: true, text: "How many times the daemon tries a scheduled slot again when its run failed, timed out, or was cut short by a daemon stop or crash (retried when the daemon starts again). Each attempt is its own record, numbered (`attempt`) and linked to the attempt before it (`retryOf`). A retry never starts at or after the task's next slot (that slot runs instead). A skipped slot (requirements unmet, max_parallel reached) is not retried; manual runs never are.", example: "3" },
  { section, option: "retry_delay", converter: "duration", default: "30s", scopable: true, text: "How long after a failed or interrupted attempt the next one starts.", example: "5m" },
  { section, option: "run_requires", converter: "requires", default: "", scopable: true, text: "Conditions on the service's resources to allow a run: `<rid>(<state>,…)` separated by spaces; without states `up` or `stdby up` is required. Unmet: a manual run fails (exit 1), a scheduled run is skipped and recorded with the reason.", example: "fs#data(up) ip#0" },
  { section, option: "max_parallel", converter: "int", default: "1", min: 1, scopable: true, text: "How many runs of this task may run at once. A run beyond it is refused and recorded as skipped with the reason (a manual run then exits 1).", example: "2" },
  { section, option: "retcodes", converter: "retcodes", default: "0:up 1:down", scopable: true, text: "Exit code to status rules, one per exit code; unlisted codes give `warn`. A run succeeds only when its status is `up`.", example: "0:up 1:down 3:warn" },
  { section, option: "check", converter: "enum", default: "", candidates: ["", "last_run", "last_run_warn"], scopable: true, text: "Task status in print status: empty gives n/a; `last_run` gives the status of the last run through retcodes, and `down` when the run as a whole failed or timed out (a failing blocking trigger included); `last_run_warn` keeps n/a but warns when the last run failed." },
  { section, option: "output_max", converter: "size", scopable: true, text: "Largest output file kept for one run (`<log>/runs/<svc>/<rid>/<id>.log`): beyond it the first and last halves are kept, the cut is marked in the file and said in the run's record. 0: no limit. Default: node.conf `[log] output_max` (10m).", example: "100m" },
  { section, option: "log", converter: "bool", default: "true", scopable: true, text: "Write the task's output lines to the service log (they always reach the terminal and the run's output file)." },
  { section, option: "on_error", converter: "command", scopable: true, text: "Command run last, after a failed or timed-out run (whatever stage failed), with the task's identity, cwd and environment plus SVCMGR_STATUS, SVCMGR_EXIT_CODE (when the command exited), SVCMGR_RUN_ID and SVCMGR_LOG (the run's output file); its failure is logged as a warning.", example: "/usr/local/bin/page-oncall {name} {rid}" },
  { section, option: "pre_run", converter: "command", scopable: true, text: "Command run before the task's command; a failure is logged as a warning.", example: "logger starting {rid}" },
  { section, option: "blocking_pre_run", converter: "command", scopable: true, text: "Command run before the task's command, after `pre_run`; a failure fails the run (recorded failed, naming the trigger) and the command does not run.", example: "test -d /backup" },
  { section, option: "post_run", converter: "command", scopable: true, text: "Command run after the task's command, when it started; a failure is logged as a warning." },
  { section, option: "blocking_post_run", converter: "command", scopable: true, text: "Command run after `post_run`, when the command started; a failure makes the run fail (recorded failed, naming the trigger)." },
  { section, option: "snooze", converter: "duration", scopable: true, ignored: "snooze has no effect in svcmgr (there is no alert collector)", text: "Accepted for compatibility and ignored." },
  ...limitKeywords,
  ...cgroupKeywords,
  ...resourceKeywords(section),
];
