import type { ContainerDef } from "../../task/model.js";
import { setsUlimit } from "../../config/container-values.js";
import { splitWords } from "../command-line.js";
import type { DriverRun } from "../task-driver.js";

/** The hard limits of the svcmgr process (null: unlimited), which a container may not exceed. */
export interface HardLimits {
  readonly nofile: number | null;
  readonly nproc: number | null;
}

/** What the podman command line needs from the host. */
export interface PodmanFacts {
  /** Tells this svcmgr's containers from those of another var directory on the host (a label). */
  readonly scope: string;
  readonly hardLimits: HardLimits;
}

/**
 * The ceilings of the ulimits svcmgr passes: podman's own defaults (1048576 open files; podman
 * lowers its own nproc to 32768 when it cannot raise it) unless svcmgr's hard limit is lower.
 * Above the hard limits of the runtime's process, `runc` fails ("error setting rlimit").
 */
const NOFILE_CAP = 1_048_576;
const NPROC_CAP = 32_768;

/** Label keys of svcmgr's containers. */
export const LABEL_SCOPE = "svcmgr.scope";
export const LABEL_SESSION = "svcmgr.session";

/**
 * The container of one run: `svcmgr-<svc>-<rid index>-<session's first 12 hex digits>`, in the
 * characters podman allows (a namespace's `/` becomes `.`). A session is unique per run of a
 * task, so two runs never share a name, and the daemon finds a killed run's container by it.
 */
export function containerName(svc: string, rid: string, session: string): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_.-]/g, ".");
  const index = rid.slice(rid.indexOf("#") + 1);
  return `svcmgr-${clean(svc)}-${clean(index)}-${session.replace(/-/g, "").slice(0, 12)}`;
}

/**
 * `podman run` for a container task. Invariants: the container has svcmgr's name and labels;
 * environment values are not on the command line (`--env NAME` takes the value from podman's
 * own environment, which is the run's); limits are podman's (the container's cgroup).
 */
export function podmanRunArgv(c: ContainerDef, run: DriverRun, rid: string, facts: PodmanFacts): string[] {
  const argv = ["podman", "run", "--name", containerName(run.svc, rid, run.session)];
  argv.push("--label", `${LABEL_SCOPE}=${facts.scope}`, "--label", `${LABEL_SESSION}=${run.session}`, "--label", `svcmgr.service=${run.svc}`, "--label", `svcmgr.rid=${rid}`);
  argv.push("--pull", c.pullPolicy === "always" ? "always" : "missing");
  if (c.init) argv.push("--init");
  if (c.user !== undefined) argv.push("--user", c.user);
  if (c.workdir !== undefined) argv.push("--workdir", c.workdir);
  for (const name of run.envNames) argv.push("--env", name);
  for (const v of c.volumes) argv.push("--volume", v);
  const { memory, cpus, pids } = run.limits;
  if (memory !== undefined) argv.push("--memory", String(memory), "--memory-swap", String(memory));
  if (cpus !== undefined) argv.push("--cpus", String(cpus));
  if (pids !== undefined) argv.push("--pids-limit", String(pids));
  argv.push(...ulimits(c.runArgs, facts.hardLimits), ...c.runArgs);
  if (c.entrypoint !== undefined) argv.push("--entrypoint", JSON.stringify(c.entrypoint));
  argv.push(c.image!);
  if (c.command !== undefined) argv.push(...splitWords(c.command));
  return argv;
}

function ulimits(runArgs: readonly string[], hard: HardLimits): string[] {
  const out: string[] = [];
  const cap = (limit: number | null, max: number) => Math.min(limit ?? max, max);
  if (!setsUlimit(runArgs, "nofile")) out.push("--ulimit", `nofile=${cap(hard.nofile, NOFILE_CAP)}:${cap(hard.nofile, NOFILE_CAP)}`);
  if (!setsUlimit(runArgs, "nproc")) out.push("--ulimit", `nproc=${cap(hard.nproc, NPROC_CAP)}:${cap(hard.nproc, NPROC_CAP)}`);
  return out;
}
