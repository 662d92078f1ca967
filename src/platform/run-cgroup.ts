import type { ProcessResult, ProcessSpec } from "../core/ports.js";
import type { Cgroups, RunCgroup } from "./cgroup.js";

/**
 * The spec's cgroup, made with its limits. Without writable cgroups a spec with no limit runs
 * contained by its process group only; limits are never silently dropped: not started.
 */
export async function runCgroup(spec: Pick<ProcessSpec, "cgroup">, cgroups: Cgroups): Promise<{ cg?: RunCgroup } | { error: string }> {
  if (spec.cgroup === undefined) return {};
  const limits = Object.entries(spec.cgroup.limits).filter(([, v]) => v !== undefined).map(([k]) => `limit_${k}`);
  const why = cgroups.unavailable();
  if (why !== null) return limits.length === 0 ? {} : { error: `${limits.join(", ")} cannot be enforced: cgroups are not writable here (${why})` };
  try {
    return { cg: await cgroups.create(spec.cgroup.path, spec.cgroup.limits) };
  } catch (e) {
    return { error: `cannot set up the run's cgroup: ${(e as Error).message}` };
  }
}

/** After the leader: what is left in the cgroup is killed (nothing of a run outlives it), then it is measured, and removed after (the result does not wait for it). */
export async function endCgroup(cg: RunCgroup): Promise<Pick<ProcessResult, "usage" | "leftoversKilled">> {
  const left = cg.members().length;
  if (left > 0) await cg.kill();
  const usage = cg.usage();
  cg.removeLater();
  return { usage, ...(left > 0 ? { leftoversKilled: left } : {}) };
}
