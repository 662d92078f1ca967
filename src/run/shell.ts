import type { CgroupLimits, TerminalResult, TerminalRunner } from "../core/ports.js";
import { ActionError } from "../core/errors.js";
import { formatSize } from "../core/size.js";
import type { NewRun, RunOutcome } from "../core/run-record.js";
import type { TaskDef } from "../task/model.js";
import type { PipelineDeps } from "./pipeline-deps.js";
import { execSetup, type ExecKeywords, type ExecSetup } from "./exec-setup.js";

/**
 * `svcmgr -s SVC shell` (design §15): an interactive shell on the caller's terminal in a task's
 * context, recorded as a run.
 * - Context: the task's user, group, cwd, environment, timezone, umask, rlimits and cgroup
 *   limits (node.conf [limits] filling those it does not set), the SVCMGR_* variables; with no
 *   task, the service's (the invoker's identity, its home, no task keyword). `--user` replaces
 *   the task's user and group (the user's primary group).
 * - Identity: only root switches user (resolveIdentity refuses the rest). Through sudo from a
 *   non-root user, the shell never runs as root: sudo rights on svcmgr are not a root shell.
 * - The shell: the user's login shell when /etc/shells lists it (a service account's nologin
 *   is not), else /bin/sh; interactive, not a login shell (the run's environment is kept).
 * - The record: trigger `oneoff`, rid `shell`, the shell as command, who asked (SUDO_USER
 *   under sudo), its exit code; no output file (the output is the terminal's).
 */
export const SHELL_RID = "shell";
export const FALLBACK_SHELL = "/bin/sh";

export interface ShellRequest {
  /** The task whose context the shell gets; null: the service's own. */
  readonly task: TaskDef | null;
  /** `--user`: instead of the task's user and group. */
  readonly user?: string;
  readonly session: string;
  /** Who asked: SUDO_USER or the invoking user. */
  readonly initiatedBy: string;
  /** Under sudo, the uid that ran it (SUDO_UID); null when not under sudo. */
  readonly sudoUid: number | null;
  /** The caller's TERM: the terminal's type, given to the shell unless the task's environment sets one. */
  readonly term?: string;
}

export interface ShellEnd {
  /** What svcmgr exits with: the shell's status (128 + N for a signal), 1 when it could not start. */
  readonly exitCode: number;
  readonly runId: number;
}

/** Throws an ActionError when the shell is refused (nothing recorded then). */
export async function openShell(req: ShellRequest, deps: PipelineDeps): Promise<ShellEnd> {
  const terminal = deps.runner.terminal;
  if (terminal === undefined) throw new ActionError("svcmgr shell: no terminal support in this process");
  const setup = shellSetup(req, deps);
  const why = await terminal.unavailable();
  if (why !== null) throw new ActionError(`svcmgr shell needs a terminal (${why}): use \`svcmgr -s ${deps.service.path} run\` for a task's command`);
  const shell = chooseShell(setup.env().SHELL, terminal.loginShells());
  const limits = { ...deps.cgroupDefaults, ...req.task?.cgroupLimits };
  const startedAt = deps.clock.now();
  const begun: NewRun = {
    svc: deps.service.path, rid: SHELL_RID, trigger: "oneoff", startedAt, user: setup.userName, initiatedBy: req.initiatedBy,
    session: req.session, command: req.task === null ? shell : `${shell} (${req.task.rid}'s context)`,
    ownerPid: deps.ownerPid, ownerStartTime: deps.ownerStartTime, inheritedEnv: false, node: deps.host.nodename,
  };
  let id: number | null;
  try {
    id = await deps.recorder.begin(begun);
  } catch (e) {
    throw new ActionError(`shell not opened: its record could not be written (${(e as Error).message})`);
  }
  if (id === null) throw new ActionError("shell not opened: the history refused its record");
  const env = { ...(req.term === undefined ? {} : { TERM: req.term }), ...setup.env({ SVCMGR_RUN_ID: String(id), SVCMGR_ACTION: "shell" }), SHELL: shell };
  deps.reporter.message("info", SHELL_RID, `${shell} as ${setup.userName} in ${setup.cwd} (run ${id}, asked by ${req.initiatedBy})`);
  const result = await runShell(terminal, shell, env, setup, req.task, limits, deps, id);
  const outcome = shellOutcome(result, limits.memory, deps.clock.now());
  await deps.recorder.finish(id, outcome);
  deps.reporter.message(result.spawnError === undefined ? "info" : "error", SHELL_RID, `shell ended: ${outcome.reason ?? "exit code 0"}`);
  return { exitCode: result.shellStatus ?? 1, runId: id };
}

function runShell(terminal: TerminalRunner, shell: string, env: Record<string, string>, setup: ExecSetup, task: TaskDef | null, limits: CgroupLimits, deps: PipelineDeps, id: number): Promise<TerminalResult> {
  return terminal.run({
    argv: [shell], env, cwd: setup.cwd, identity: setup.identity, umask: task?.umask, limits: task?.limits,
    cgroup: { path: [deps.service.path, SHELL_RID, String(id)], limits },
    onSpawn: (pid, startTime) => deps.recorder.setPid(id, pid, startTime),
  });
}

/** Who, where and with which environment; throws an ActionError for an identity it may not take. */
function shellSetup(req: ShellRequest, deps: PipelineDeps): ExecSetup {
  const t = req.task;
  const kw: ExecKeywords = {
    rid: t?.rid ?? SHELL_RID, user: req.user ?? t?.user, group: req.user === undefined ? t?.group : undefined,
    cwd: t?.cwd, environment: t?.environment ?? {}, timezone: t?.timezone,
  };
  const setup = execSetup(kw, deps.service, { trigger: "oneoff", session: req.session, extraEnv: {} }, deps.host);
  if ("error" in setup) throw new ActionError(`shell refused: ${setup.error}`);
  const uid = setup.identity?.uid ?? deps.host.uid;
  if (uid === 0 && req.sudoUid !== null && req.sudoUid !== 0) {
    throw new ActionError(
      `shell refused: through sudo (by ${req.initiatedBy}, uid ${req.sudoUid}) a shell never runs as root; ` +
        `name a non-root user with --user, or give ${t?.rid ?? "the task"} a user keyword`,
    );
  }
  return setup;
}

/** The login shell when the system lists it as one (nologin and false are not), else /bin/sh. */
export function chooseShell(loginShell: string | undefined, allowed: readonly string[]): string {
  return loginShell !== undefined && loginShell.startsWith("/") && allowed.includes(loginShell) ? loginShell : FALLBACK_SHELL;
}

/** The record's end: succeeded on exit code 0; every other end failed, with the reason. */
export function shellOutcome(r: TerminalResult, memoryLimit: number | undefined, endedAt: number): RunOutcome {
  const notes: string[] = [];
  if (r.spawnError !== undefined) notes.push(`shell not started: ${r.spawnError}`);
  else if (r.signal !== null) notes.push(`shell killed by ${r.signal}`);
  else if (r.exitCode !== 0) notes.push(`shell exited with code ${r.exitCode}`);
  const oom = r.usage?.oomKills ?? 0;
  if (oom > 0) notes.push(`${oom} process(es) killed by the kernel's OOM killer: the shell reached ${memoryLimit === undefined ? "its memory limit" : `the memory limit (limit_memory = ${formatSize(memoryLimit)})`}`);
  if (r.leftoversKilled !== undefined) notes.push(`${r.leftoversKilled} process(es) left behind by the shell killed with it`);
  const ok = r.spawnError === undefined && r.exitCode === 0;
  return {
    status: ok ? "succeeded" : "failed", endedAt, exitCode: r.exitCode, signal: r.signal, reason: notes.length === 0 ? null : notes.join("; "),
    ...(r.usage === undefined ? {} : { peakMemory: r.usage.peakMemory, cpuSeconds: r.usage.cpuSeconds }),
  };
}
