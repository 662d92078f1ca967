import type { Clock, ProcessResult, ProcessRunner, ProcessSpec, UserDb } from "../core/ports.js";
import { defaultSpawnTask, type SpawnTask, type TaskProcess } from "./task-spawn.js";
import { createUserDb } from "./user-db.js";
import { planExec } from "./exec-plan.js";
import { Supervisor } from "./process-supervisor.js";
import { systemClock } from "./system-clock.js";
import { hostCgroups, type Cgroups } from "./cgroup.js";
import { endCgroup, runCgroup } from "./run-cgroup.js";
import { describeExecError } from "./exec-error.js";
import { terminalRunner } from "./terminal-process.js";

export interface ProcessRunnerOptions {
  /** Supplementary groups of a switched identity, for the execute-permission check. @default createUserDb() */
  readonly userDb?: UserDb;
  /** After the leader exits, how long the output pipes may stay open before the group is killed. @default 1000 */
  readonly pipeGraceMs?: number;
  readonly clock?: Clock;
  /** Where sh, prlimit and setpriv are found (never the task's PATH). */
  readonly toolDirs?: readonly string[];
  /** How the process is started. @default defaultSpawnTask() (vfork where the addon is built) */
  readonly spawnTask?: SpawnTask;
  /** Where specs with a `cgroup` run. @default hostCgroups(cgroupScope) */
  readonly cgroups?: Cgroups;
  /** The svcmgr root's level of run cgroups (cgroupScope of its var dir). @default "default" */
  readonly cgroupScope?: string;
}

const DEFAULT_PIPE_GRACE_MS = 1000;
const DEFAULT_TOOL_DIRS = ["/usr/bin", "/bin", "/usr/sbin", "/sbin"];

/**
 * Runs task processes, each in its own session and process group (see task-spawn.ts): the
 * exec plan (exec-plan.ts) says what is spawned, the supervisor (process-supervisor.ts)
 * watches it to its result.
 * `run` never throws: every failure is a ProcessResult (spawnError when nothing ran).
 */
export function createProcessRunner(options: ProcessRunnerOptions = {}): ProcessRunner {
  let userDb = options.userDb;
  const ctx: RunContext = {
    clock: options.clock ?? systemClock,
    pipeGraceMs: options.pipeGraceMs ?? DEFAULT_PIPE_GRACE_MS,
    toolDirs: options.toolDirs ?? DEFAULT_TOOL_DIRS,
    userDb: () => (userDb ??= createUserDb()),
    spawnTask: options.spawnTask ?? defaultSpawnTask(),
    cgroups: () => (cgroups ??= options.cgroups ?? hostCgroups(options.cgroupScope ?? "default")),
  };
  let cgroups: Cgroups | undefined;
  return { run: (spec) => runProcess(spec, ctx), cgroupsUnavailable: () => ctx.cgroups().unavailable(), terminal: terminalRunner(ctx) };
}

interface RunContext {
  readonly clock: Clock;
  readonly pipeGraceMs: number;
  readonly toolDirs: readonly string[];
  readonly userDb: () => UserDb;
  readonly spawnTask: SpawnTask;
  readonly cgroups: () => Cgroups;
}

async function runProcess(spec: ProcessSpec, ctx: RunContext): Promise<ProcessResult> {
  const startedAt = ctx.clock.now();
  const notStarted = (spawnError: string | undefined, aborted = false): ProcessResult => ({
    pid: null, startedAt, endedAt: ctx.clock.now(), exitCode: null, signal: null, timedOut: false, aborted,
    ...(spawnError === undefined ? {} : { spawnError }),
  });
  if (spec.signal?.aborted) return notStarted(undefined, true);
  const plan = planExec(spec, ctx);
  if (!plan.ok) return notStarted(plan.error);
  const cgroup = await runCgroup(spec, ctx.cgroups());
  if ("error" in cgroup) return notStarted(cgroup.error);
  let child: TaskProcess;
  try {
    child = await ctx.spawnTask(plan.argv[0]!, plan.argv, { cwd: spec.cwd, env: spec.env, cgroupProcs: cgroup.cg?.procsFiles });
  } catch (e) {
    cgroup.cg?.remove();
    return notStarted(describeExecError(e, spec.argv[0] ?? ""));
  }
  const result = await new Supervisor(child, spec, ctx, startedAt, cgroup.cg).result;
  return cgroup.cg === undefined ? result : { ...result, ...(await endCgroup(cgroup.cg)) };
}
