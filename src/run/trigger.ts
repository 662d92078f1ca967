import type { ProcessCgroup, ProcessRunner } from "../core/ports.js";
import type { TaskDef } from "../task/model.js";
import { parseCommandLine, type CommandLine } from "./command-line.js";
import type { ExecSetup } from "./exec-setup.js";
import { createOutputSplitter } from "./line-splitter.js";
import type { RunReporter } from "../core/run-ports.js";

/** The commands that run around a task's command, in the run's order. */
export type TriggerName = "pre_run" | "blocking_pre_run" | "post_run" | "blocking_post_run" | "on_error";

export type TriggerResult =
  | { readonly ok: true }
  /** `what` says how it failed: `exit code 1`, `killed by SIGTERM`, `command not found: x`. */
  | { readonly ok: false; readonly what: string; readonly timedOut: boolean; readonly forceKilled: boolean; readonly aborted: boolean };

export interface TriggerRun {
  readonly runner: ProcessRunner;
  readonly reporter: RunReporter;
  readonly killGraceMs?: number;
  readonly signal?: AbortSignal;
  /** The cgroup a trigger's process runs in. */
  readonly cgroup?: (name: TriggerName) => ProcessCgroup;
}

/**
 * Runs one trigger with the task's identity, cwd and the given environment, for at most
 * `timeoutMs` (the time left before the run's deadline; undefined: no limit). Reports its
 * command, its output lines and, on failure, a warning (non-blocking) or an error (blocking).
 */
export async function runTrigger(
  task: Pick<TaskDef, "rid" | "umask" | "limits" | "log">, setup: ExecSetup, env: Readonly<Record<string, string>>,
  name: TriggerName, text: string, blocking: boolean, timeoutMs: number | undefined, run: TriggerRun,
): Promise<TriggerResult> {
  const say = (level: "info" | "warning" | "error", message: string) => run.reporter.message(level, task.rid, message);
  let command: CommandLine;
  try {
    command = parseCommandLine(text);
  } catch (e) {
    say(blocking ? "error" : "warning", `${name}: ${(e as Error).message}`);
    return { ok: false, what: (e as Error).message, timedOut: false, forceKilled: false, aborted: false };
  }
  say("info", `${name}: ${command.display}`);
  const lines = reportedLines(run.reporter, task.rid, task.log);
  const result = await run.runner.run({
    argv: command.argv, env, cwd: setup.cwd, identity: setup.identity, umask: task.umask, limits: task.limits,
    timeoutMs, killGraceMs: run.killGraceMs, signal: run.signal, onOutput: lines.push, cgroup: run.cgroup?.(name),
  });
  lines.flush();
  if (result.exitCode === 0 && !result.timedOut && !result.aborted) return { ok: true };
  const what = result.spawnError ?? (result.timedOut ? "timed out" : result.aborted ? "aborted" : result.exitCode !== null ? `exit code ${result.exitCode}` : `killed by ${result.signal}`);
  say(blocking ? "error" : "warning", `${name}: ${blocking ? "blocking" : "non-blocking"} error [${what}]`);
  return { ok: false, what, timedOut: result.timedOut, forceKilled: result.forceKilled === true, aborted: result.aborted };
}

/** A process's output cut into lines, each reported for `rid`; flush() reports the last unfinished ones. */
export function reportedLines(reporter: RunReporter, rid: string, toLog: boolean): { push(stream: "stdout" | "stderr", chunk: Uint8Array): void; flush(): void } {
  const splitter = createOutputSplitter();
  return {
    push: (stream, chunk) => {
      for (const line of splitter.push(stream, chunk)) reporter.output(rid, stream, line.text, toLog);
    },
    flush: () => {
      for (const line of splitter.flush()) reporter.output(rid, line.stream, line.text, toLog);
    },
  };
}
