import type { Status } from "../core/status.js";
import type { ServiceConfig } from "../config/service.js";
import { fsDriverType } from "../config/validate.js";
import { classifySection } from "../config/service.js";
import type { TaskDef } from "../task/model.js";
import { taskDef } from "../task/model.js";
import { statusForExitCode } from "../config/retcodes.js";
import { unmetRequirement } from "../run/gates.js";
import type { LastRun } from "../core/run-ports.js";
import type { ResourceProbe } from "./probe.js";
import { withStandby } from "./aggregate.js";

/**
 * The state of each resource of a service, as `print status` and `run_requires` see it.
 * fs (mounted): up when `mnt` is a mount point (from `dev` when set); fs (directory): up when
 * `path` is a directory; ip: up when `ipname` is configured on a local interface (on `ipdev`
 * when set); app: its `check` command, 0 up, 1 down, anything else warn; task: n/a, or from
 * its last run with `check`. Disabled resources are n/a; standby ones report `stdby up/down`.
 */
export interface ResourceState {
  readonly rid: string;
  readonly driver: string;
  readonly status: Status;
  readonly disabled: boolean;
  readonly optional: boolean;
  readonly standby: boolean;
  readonly running: number;
  readonly log: readonly string[];
}

export interface StatusDeps {
  readonly probe: ResourceProbe;
  /** Runs an app's check command; resolves its exit code (null: could not run or timed out). */
  readonly runCheck: (config: ServiceConfig, rid: string) => Promise<number | null>;
  readonly readLastRun: (rid: string) => LastRun | null;
  readonly runningCount: (rid: string) => number;
}

export async function resourceState(config: ServiceConfig, rid: string, deps: StatusDeps, seen: ReadonlySet<string> = new Set()): Promise<ResourceState> {
  const c = classifySection(rid);
  const group = "group" in c ? c.group : "unknown";
  const flag = (k: string) => config.value<boolean>(rid, k) ?? false;
  const base = { rid, disabled: flag("disable"), optional: flag("optional"), standby: flag("standby"), running: group === "task" ? deps.runningCount(rid) : 0 };
  if (base.disabled) return { ...base, driver: driverName(config, rid, group), status: "n/a", log: [] };
  const { status, log } = await rawStatus(config, rid, group, deps, seen);
  return { ...base, driver: driverName(config, rid, group), status: withStandby(status, base.standby), log };
}

function driverName(config: ServiceConfig, rid: string, group: string): string {
  if (group === "fs") return fsDriverType(config, rid) === "directory" ? "fs.directory" : `fs.${config.text(rid, "type")?.text ?? "mount"}`;
  if (group === "task") return "task.host";
  if (group === "app") return `app.${config.text(rid, "type")?.text ?? "simple"}`;
  return group;
}

async function rawStatus(config: ServiceConfig, rid: string, group: string, deps: StatusDeps, seen: ReadonlySet<string>): Promise<{ status: Status; log: string[] }> {
  const text = (k: string) => config.text(rid, k)?.text;
  switch (group) {
    case "fs":
      return fsDriverType(config, rid) === "directory" ? directoryStatus(text("path") ?? "", deps.probe) : mountStatus(text("mnt") ?? "", text("dev"), deps.probe);
    case "ip":
      return ipStatus(text("ipname") ?? "", text("ipdev"), deps.probe);
    case "app":
      return appStatus(config, rid, deps);
    case "task":
      return taskStatus(config, taskDef(config, rid), deps, seen);
    default:
      return { status: "undef", log: [] };
  }
}

function directoryStatus(path: string, probe: ResourceProbe): { status: Status; log: string[] } {
  return probe.isDirectory(path) ? { status: "up", log: [] } : { status: "down", log: [`${path} is not a directory`] };
}

function mountStatus(mnt: string, dev: string | undefined, probe: ResourceProbe): { status: Status; log: string[] } {
  const mounted = probe.mounts().filter((m) => m.mountPoint === mnt.replace(/\/+$/, "") || (mnt === "/" && m.mountPoint === "/"));
  if (mounted.length === 0) return { status: "down", log: [`${mnt} is not mounted`] };
  if (dev !== undefined && dev !== "" && !mounted.some((m) => m.source === dev)) {
    return { status: "down", log: [`${mnt} is mounted from ${mounted.map((m) => m.source).join(", ")}, not ${dev}`] };
  }
  return { status: "up", log: [] };
}

async function ipStatus(ipname: string, ipdev: string | undefined, probe: ResourceProbe): Promise<{ status: Status; log: string[] }> {
  let wanted: string[];
  try {
    wanted = await probe.resolve(ipname); // an address resolves to itself
  } catch (e) {
    return { status: "down", log: [`cannot resolve ${ipname}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`] };
  }
  if (wanted.length === 0) return { status: "down", log: [`cannot resolve ${ipname}`] };
  const here = probe.localAddresses().filter((a) => wanted.includes(a.address) && (ipdev === undefined || ipdev === "" || a.iface === ipdev || a.iface.startsWith(`${ipdev}:`)));
  return here.length > 0 ? { status: "up", log: [] } : { status: "down", log: [`${ipname} is not configured${ipdev ? ` on ${ipdev}` : ""}`] };
}

async function appStatus(config: ServiceConfig, rid: string, deps: StatusDeps): Promise<{ status: Status; log: string[] }> {
  if (config.text(rid, "check") === undefined) return { status: "n/a", log: ["no check command"] };
  const code = await deps.runCheck(config, rid);
  if (code === null) return { status: "warn", log: ["check could not run or timed out"] };
  return { status: code === 0 ? "up" : code === 1 ? "down" : "warn", log: code > 1 ? [`check exited with code ${code}`] : [] };
}

async function taskStatus(config: ServiceConfig, task: TaskDef, deps: StatusDeps, seen: ReadonlySet<string>): Promise<{ status: Status; log: string[] }> {
  if (task.check === "") return { status: "n/a", log: [] };
  if (task.runRequires.length > 0 && !seen.has(task.rid)) {
    const states = new Map<string, Status>();
    const next = new Set([...seen, task.rid]);
    for (const r of task.runRequires) states.set(r.rid, (await resourceState(config, r.rid, deps, next)).status);
    if (unmetRequirement(task.runRequires, states) !== null) return { status: "n/a", log: ["requirements not met"] };
  }
  const last = deps.readLastRun(task.rid);
  if (last === null) return { status: "n/a", log: ["never run"] };
  const { status, log } = lastRunStatus(task, last);
  return task.check === "last_run_warn" ? { status: "n/a", log } : { status, log };
}

/**
 * The status a last run gives: its exit code through retcodes, but a run whose record is not
 * `succeeded` is never `up`: a failed blocking trigger or a timeout is `down`; a cancelled run
 * (aborted, interrupted) with no exit code says nothing about the task: `n/a`.
 */
function lastRunStatus(task: TaskDef, last: LastRun): { status: Status; log: string[] } {
  const byCode = last.exitCode === null ? null : statusForExitCode(task.retcodes, last.exitCode);
  if (last.status === "succeeded" && byCode !== null) return { status: byCode, log: byCode === "up" ? [] : [`last run failed (${last.exitCode})`] };
  if (byCode !== null && byCode !== "up") return { status: byCode, log: [`last run failed (${last.exitCode})`] };
  const cancelled = last.status === "aborted" || last.status === "interrupted";
  return { status: cancelled ? "n/a" : "down", log: [`last run ${last.status}${last.exitCode === null ? "" : ` (exit code ${last.exitCode})`}`] };
}
