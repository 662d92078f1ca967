import { posix } from "node:path";

/**
 * Where this process's cgroups are (pure: the texts of /proc/self/cgroup and
 * /proc/self/mountinfo in, a layout out).
 *
 * - v1 (legacy or hybrid hosts): one hierarchy per mount of type `cgroup`, each holding one or
 *   more controllers; svcmgr uses `freezer` (to kill a whole run: freeze, kill, thaw; required),
 *   `memory`, `cpu`, `cpuacct` and `pids` where mounted. A hybrid host's cgroup2 mount (no
 *   controllers in it) is not used then.
 * - v2 (unified): one hierarchy; killing a run needs no controller (`cgroup.kill`, or freeze).
 * `dir` is this process's own cgroup in each hierarchy, as a path under the mount point: run
 * cgroups are made below it, so svcmgr never leaves the cgroup it was started in.
 */
export const V1_CONTROLLERS = ["freezer", "memory", "cpu", "cpuacct", "pids"] as const;
export type V1Controller = (typeof V1_CONTROLLERS)[number];

export interface V1Hierarchy {
  /** The controllers of V1_CONTROLLERS mounted in this hierarchy (co-mounted ones share it). */
  readonly controllers: readonly V1Controller[];
  readonly dir: string;
}

export type CgroupLayout =
  | { readonly version: 1; readonly hierarchies: readonly V1Hierarchy[] }
  | { readonly version: 2; readonly dir: string }
  | { readonly version: null; readonly why: string };

interface Mount {
  readonly root: string;
  readonly point: string;
  readonly type: string;
  readonly options: readonly string[];
}

/** mountinfo(5): `id parent maj:min root point opts [optional…] - type source superopts`. */
function parseMountinfo(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split("\n")) {
    const fields = line.split(" ");
    const dash = fields.indexOf("-");
    if (dash < 6 || fields.length < dash + 4) continue;
    mounts.push({ root: unescape(fields[3]!), point: unescape(fields[4]!), type: fields[dash + 1]!, options: fields[dash + 3]!.split(",") });
  }
  return mounts;
}

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
function unescape(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** /proc/self/cgroup: `hierarchy-id:controller,list:/path`; v2's line is `0::/path`. */
function parseProcCgroup(text: string): Map<string, string> {
  const byControllers = new Map<string, string>();
  for (const line of text.split("\n")) {
    const m = /^\d+:([^:]*):(.*)$/.exec(line);
    if (m) byControllers.set(m[1]!, m[2]!);
  }
  return byControllers;
}

/** The process's cgroup `path` as a directory of the mount (whose root may itself be a cgroup below /). */
function dirIn(mount: Mount, path: string): string | null {
  const rel = posix.relative(mount.root, path);
  if (rel.startsWith("..")) return null;
  return posix.join(mount.point, rel);
}

export function detectCgroupLayout(procSelfCgroup: string, mountinfo: string): CgroupLayout {
  const mounts = parseMountinfo(mountinfo);
  const paths = parseProcCgroup(procSelfCgroup);
  const hierarchies: V1Hierarchy[] = [];
  for (const mount of mounts.filter((m) => m.type === "cgroup")) {
    const controllers = V1_CONTROLLERS.filter((c) => mount.options.includes(c));
    if (controllers.length === 0) continue;
    const own = [...paths].find(([list]) => controllers.every((c) => list.split(",").includes(c)));
    const dir = own === undefined ? null : dirIn(mount, own[1]);
    if (dir !== null && !hierarchies.some((h) => h.dir === dir)) hierarchies.push({ controllers, dir });
  }
  if (hierarchies.some((h) => h.controllers.includes("freezer"))) return { version: 1, hierarchies };
  const unified = mounts.find((m) => m.type === "cgroup2");
  const path = paths.get("");
  if (unified !== undefined && path !== undefined) {
    const dir = dirIn(unified, path);
    if (dir !== null && hierarchies.length === 0) return { version: 2, dir };
  }
  if (hierarchies.length > 0) return { version: null, why: "cgroup v1 without a freezer hierarchy (needed to kill a whole run)" };
  return { version: null, why: unified === undefined ? "no cgroup filesystem mounted" : "this process's cgroup is not under the cgroup2 mount" };
}

/** The hierarchy holding `controller`, if mounted. */
export function hierarchyOf(layout: { hierarchies: readonly V1Hierarchy[] }, controller: V1Controller): V1Hierarchy | undefined {
  return layout.hierarchies.find((h) => h.controllers.includes(controller));
}
