import type { CgroupLimits, LimitName } from "../core/ports.js";
import { LIMIT_NAMES } from "../core/ports.js";
import type { ServiceConfig } from "../config/service.js";
import type { Requirement } from "../config/requires.js";
import type { RetcodeRules } from "../config/retcodes.js";

/**
 * A container task's keywords (type = podman, container_update). `user` and `cwd` are the
 * container's here: such a task's TaskDef has no host user or cwd (podman and the triggers run
 * as svcmgr's user).
 */
export interface ContainerDef {
  /** podman: always set; container_update: unset means the container's own image reference. */
  readonly image?: string;
  readonly pullPolicy: "once" | "always";
  /** The container's command (split into shell words by the driver); unset: the image's. */
  readonly command?: string;
  readonly entrypoint?: readonly string[];
  readonly runArgs: readonly string[];
  readonly volumes: readonly string[];
  readonly init: boolean;
  readonly user?: string;
  readonly workdir?: string;
  /** container_update: the container to replace, and how long it gets to stop. */
  readonly container?: string;
  readonly stopTimeoutMs: number;
}

/** A task's keywords, resolved for this node and typed. Built at use time from a valid config. */
export interface TaskDef {
  readonly rid: string;
  /** The driver: `task.<type>` (`task.host`), which says how the task's command is run. */
  readonly type: string;
  readonly command: string;
  /** A one-off run's argv (task/oneoff.ts), exec'd as given: no shell, no splitting of `command`. */
  readonly argv?: readonly string[];
  readonly user?: string;
  readonly group?: string;
  readonly cwd?: string;
  readonly umask?: number;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
  readonly confirmation: boolean;
  /** Schedule text ("" = none) and the parameter that gave it (`task#0.schedule`, `DEFAULT.run_schedule`). */
  readonly schedule: string;
  readonly scheduleParameter: string;
  readonly timezone?: string;
  readonly tags: readonly string[];
  readonly subset?: string;
  readonly disable: boolean;
  readonly optional: boolean;
  readonly standby: boolean;
  readonly onError?: string;
  readonly preRun?: string;
  readonly blockingPreRun?: string;
  readonly postRun?: string;
  readonly blockingPostRun?: string;
  readonly runRequires: readonly Requirement[];
  readonly maxParallel: number;
  readonly retcodes: RetcodeRules;
  readonly check: "" | "last_run" | "last_run_warn";
  readonly log: boolean;
  /** Largest output file kept for one run (bytes; 0: no limit); unset: node.conf's `[log] output_max`. */
  readonly outputMax?: number;
  readonly limits: Readonly<Partial<Record<LimitName, number>>>;
  /** limit_memory, limit_cpus, limit_pids as the task sets them (node.conf [limits] fills the others at run time). */
  readonly cgroupLimits: CgroupLimits;
  readonly catchup: "latest" | "none" | "all";
  readonly catchupWindowMs?: number;
  /** Scheduled runs: how many times a failed or interrupted slot is tried again, and after how long. */
  readonly retry: number;
  readonly retryDelayMs: number;
  /** Set for container tasks (type podman, container_update). */
  readonly container?: ContainerDef;
  /** In a cluster, a flex service's task: `cluster` runs each slot on one node only (absent: `node`). */
  readonly runOnce?: "node" | "cluster";
  /** In a cluster, what a run in progress does when this node stops owning its failover service (absent: `finish`). */
  readonly onOwnershipLoss?: "finish" | "kill";
}

export function taskDef(config: ServiceConfig, rid: string): TaskDef {
  const v = <T>(option: string) => config.value<T>(rid, option);
  const scheduleSource = config.raw(rid, "schedule");
  const kind = config.text(rid, "type")?.text.trim() ?? "host";
  const host = kind === "host";
  return {
    rid,
    type: `task.${kind}`,
    command: v<string>("command") ?? "",
    user: host ? v<string>("user") : undefined,
    group: host ? v<string>("group") : undefined,
    cwd: host ? v<string>("cwd") : undefined,
    umask: host ? v<number>("umask") : undefined,
    environment: v<Record<string, string>>("environment") ?? {},
    timeoutMs: v<number>("timeout"),
    confirmation: v<boolean>("confirmation") ?? false,
    schedule: (config.text(rid, "schedule")?.text ?? "").trim(),
    scheduleParameter: scheduleSource?.section === "DEFAULT" ? "DEFAULT.run_schedule" : `${rid}.schedule`,
    timezone: v<string>("timezone"),
    tags: v<string[]>("tags") ?? [],
    subset: v<string>("subset"),
    disable: (v<boolean>("disable") ?? false) || (config.value<boolean>("DEFAULT", "disable") ?? false),
    optional: v<boolean>("optional") ?? false,
    standby: v<boolean>("standby") ?? false,
    onError: v<string>("on_error"),
    preRun: v<string>("pre_run"),
    blockingPreRun: v<string>("blocking_pre_run"),
    postRun: v<string>("post_run"),
    blockingPostRun: v<string>("blocking_post_run"),
    runRequires: v<Requirement[]>("run_requires") ?? [],
    maxParallel: v<number>("max_parallel") ?? 1,
    retcodes: v<RetcodeRules>("retcodes")!,
    check: v<TaskDef["check"]>("check") ?? "",
    log: v<boolean>("log") ?? true,
    outputMax: v<number>("output_max"),
    limits: host ? limits(config, rid) : {},
    cgroupLimits: definedOnly({ memory: v<number>("limit_memory"), cpus: v<number>("limit_cpus"), pids: v<number>("limit_pids") }),
    catchup: v<TaskDef["catchup"]>("catchup") ?? "latest",
    catchupWindowMs: v<number>("catchup_window"),
    retry: v<number>("retry") ?? 0,
    retryDelayMs: v<number>("retry_delay") ?? 30_000,
    runOnce: v<TaskDef["runOnce"]>("run_once") ?? "node",
    onOwnershipLoss: v<TaskDef["onOwnershipLoss"]>("on_ownership_loss") ?? "finish",
    ...(host ? {} : { container: containerDef(config, rid, kind) }),
  };
}

function containerDef(config: ServiceConfig, rid: string, kind: string): ContainerDef {
  const v = <T>(option: string) => config.value<T>(rid, option);
  const command = v<string>("command");
  return {
    image: v<string>("image"),
    pullPolicy: v<ContainerDef["pullPolicy"]>("image_pull_policy") ?? (kind === "container_update" ? "always" : "once"),
    command: command === undefined || command.trim() === "" ? undefined : command,
    entrypoint: v<string[]>("entrypoint"),
    runArgs: v<string[]>("run_args") ?? [],
    volumes: v<string[]>("volume_mounts") ?? [],
    init: v<boolean>("init") ?? true,
    user: v<string>("user"),
    workdir: v<string>("cwd"),
    container: v<string>("container"),
    stopTimeoutMs: v<number>("stop_timeout") ?? 10_000,
  };
}

function definedOnly<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as T;
}

function limits(config: ServiceConfig, rid: string): Partial<Record<LimitName, number>> {
  const out: Partial<Record<LimitName, number>> = {};
  for (const name of LIMIT_NAMES) {
    const value = config.value<number>(rid, `limit_${name}`);
    if (value !== undefined) out[name] = name === "cpu" ? Math.ceil(value / 1000) : value;
  }
  return out;
}

/** Subsets of a group's resources whose members run together (`[subset#task:NAME] parallel = true`). */
export function parallelSubsets(config: ServiceConfig, group: string): Set<string> {
  const prefix = `subset#${group}:`;
  return new Set(config.doc.sections.flatMap((s) => (s.name.startsWith(prefix) && config.value<boolean>(s.name, "parallel") ? [s.name.slice(prefix.length)] : [])));
}
