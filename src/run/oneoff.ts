import type { ServiceConfig } from "../config/service.js";
import { DEFAULT_RETCODES, parseRetcodes, type RetcodeRules } from "../config/retcodes.js";
import type { CgroupLimits } from "../core/ports.js";
import { parseDuration } from "../core/duration.js";
import { parseSize } from "../core/size.js";
import { formatArgv } from "./command-line.js";
import { taskDef, type TaskDef } from "../task/model.js";

/**
 * One-off runs (`svcmgr -s SVC exec -- CMD…`, `POST /api/v1/services/{svc}/exec`): a command
 * run once in the service's task context, recorded with trigger `oneoff` under the rid `exec`.
 * Task rids are `task#…` (a section name), so `exec` never names a task, and
 * `print history --rid exec` lists the one-offs of a service.
 *
 * The context is what a host task of the service gets: `user`, `group`, `cwd`, `umask` and
 * `environment`, either those of the task named by `task`, or those every host task of the
 * service shares: a service whose host tasks differ in one of them needs `task` to say which
 * (svcmgr does not guess who a command runs as). Container tasks do not count: their user and
 * cwd are the container's. Limits come from the request alone (`memory`, `cpus`,
 * `maxTime`), node.conf `[limits]` filling the cgroup limits it leaves out at run time: a
 * task's own limits and triggers are not the one-off's.
 */
export const ONEOFF_RID = "exec";

/** The keywords of the context, in the order errors name them. */
const CONTEXT_KEYWORDS = ["user", "group", "cwd", "umask", "environment"] as const;
type ContextKeyword = (typeof CONTEXT_KEYWORDS)[number];
type Context = Pick<TaskDef, ContextKeyword>;

/** What a one-off asks for, as the CLI options and the API body give it (texts not yet checked). */
export interface OneoffRequest {
  readonly argv: readonly string[];
  /** Run as this user instead of the context's. */
  readonly user?: string;
  /** Take the context of this task (a rid) rather than the one the service's tasks share. */
  readonly task?: string;
  /** A size (`512m`) or bytes. */
  readonly memory?: string | number;
  /** CPUs (`0.5`). */
  readonly cpus?: string | number;
  /** A duration (`30m`) or seconds. */
  readonly maxTime?: string | number;
}

export interface Oneoff {
  readonly task: TaskDef;
  /** The user the context runs commands as (undefined: svcmgr's own); `user` differs from it when the request overrides it. */
  readonly contextUser: string | undefined;
}

/** The one-off's task, or why the request cannot run (a message naming the field and what is allowed). */
export function oneoffTask(config: ServiceConfig, req: OneoffRequest): Oneoff | { error: string } {
  if (req.argv.length === 0 || req.argv[0] === "") return { error: "command: nothing to run (give the command and its arguments after --)" };
  if (req.argv.some((a) => a.includes("\0"))) return { error: "command: an argument contains a NUL byte" };
  const limits = oneoffLimits(req);
  if ("error" in limits) return limits;
  const context = oneoffContext(config, req.task);
  if ("error" in context) return context;
  const user = req.user === undefined || req.user === "" ? context.user : req.user;
  const task: TaskDef = {
    ...baseTask(),
    ...context,
    user,
    // Another user gets their own primary group, not the context's.
    ...(user !== context.user ? { group: undefined } : {}),
    command: formatArgv(req.argv), argv: [...req.argv],
    timeoutMs: limits.timeoutMs, cgroupLimits: limits.cgroup,
  };
  return { task, contextUser: context.user };
}

/** The one-off's limits, checked (the CLI checks them before asking the daemon). */
export function oneoffLimits(req: Pick<OneoffRequest, "memory" | "cpus" | "maxTime">): { cgroup: CgroupLimits; timeoutMs?: number } | { error: string } {
  const cgroup: { memory?: number; cpus?: number } = {};
  if (req.memory !== undefined) {
    const bytes = typeof req.memory === "number" ? req.memory : parseSize(req.memory);
    if (bytes === null || !Number.isInteger(bytes) || bytes < MIN_MEMORY) return { error: `memory: "${req.memory}" is not a size of at least 1m (512m, 2g, or bytes)` };
    cgroup.memory = bytes;
  }
  if (req.cpus !== undefined) {
    const cpus = typeof req.cpus === "number" ? req.cpus : /^\d+(\.\d+)?$/.test(req.cpus.trim()) ? Number(req.cpus) : NaN;
    if (!Number.isFinite(cpus) || cpus <= 0) return { error: `cpus: "${req.cpus}" is not a number of CPUs above 0 (0.5, 2)` };
    cgroup.cpus = cpus;
  }
  if (req.maxTime === undefined) return { cgroup };
  const ms = typeof req.maxTime === "number" ? (Number.isFinite(req.maxTime) && req.maxTime > 0 ? req.maxTime * 1000 : null) : parseDuration(req.maxTime);
  if (ms === null || ms <= 0) return { error: `max-time: "${req.maxTime}" is not a duration above 0 (90s, 30m, 2h, or seconds)` };
  return { cgroup, timeoutMs: ms };
}

/** As `limit_memory`'s smallest value. */
const MIN_MEMORY = 1024 * 1024;

/** Host tasks only: a container task's user and cwd are inside its container, not on the host where a one-off runs. */
function oneoffContext(config: ServiceConfig, rid: string | undefined): Context | { error: string } {
  const defs = config.rids("task").map((r) => taskDef(config, r)).filter((t) => t.type === "task.host");
  const tasks = defs.map((t) => t.rid);
  if (rid !== undefined) {
    const chosen = defs.find((t) => t.rid === rid);
    if (chosen === undefined) return { error: `task: no host task ${rid} in ${config.name} (its host tasks: ${tasks.join(", ") || "none"})` };
    return pick(chosen);
  }
  const contexts = defs.map(pick);
  const first = contexts[0];
  if (first === undefined) return { environment: {} };
  for (const k of CONTEXT_KEYWORDS) {
    const differs = contexts.findIndex((c) => JSON.stringify(c[k]) !== JSON.stringify(first[k]));
    if (differs >= 0) {
      return { error: `${config.name}: its tasks differ in ${k} (${tasks[0]} and ${tasks[differs]}): say which task's context the command runs in (--task RID, or "task" in the API)` };
    }
  }
  return first;
}

function pick(t: TaskDef): Context {
  return { user: t.user, group: t.group, cwd: t.cwd, umask: t.umask, environment: t.environment };
}

let defaultRetcodes: RetcodeRules | undefined;

/** Everything of a one-off that is not its context, command or limits: a plain run, never refused by a gate. */
function baseTask(): Omit<TaskDef, "command"> {
  defaultRetcodes ??= (parseRetcodes(DEFAULT_RETCODES) as { rules: RetcodeRules }).rules;
  return {
    rid: ONEOFF_RID, type: "task.host", environment: {}, confirmation: false, schedule: "", scheduleParameter: `${ONEOFF_RID}.schedule`,
    tags: [], disable: false, optional: false, standby: false, runRequires: [],
    // Each one-off runs however many others run: max_parallel is a task's, not the service's.
    maxParallel: Number.MAX_SAFE_INTEGER,
    retcodes: defaultRetcodes, check: "", log: true, limits: {}, cgroupLimits: {}, catchup: "none", retry: 0, retryDelayMs: 0,
  };
}
