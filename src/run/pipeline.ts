import type { ProcessResult, ProcessRunner, Prompter, Clock } from "../core/ports.js";
import type { Status } from "../core/status.js";
import type { FinalStatus } from "../history/record.js";
import { OutputCapture } from "../history/capture.js";
import type { TaskDef } from "../task/model.js";
import { statusForExitCode } from "../task/retcodes.js";
import type { RunContext } from "./context.js";
import { parseCommandLine, type CommandLine } from "./command-line.js";
import { execSetup, type ExecSetup, type HostFacts, type ServiceFacts } from "./exec-setup.js";
import { CONFIRMATION_TIMEOUT_MS, confirmationAnswer, decideConfirmation, unmetRequirement } from "./gates.js";
import { createOutputSplitter } from "./line-splitter.js";
import type { LastRunWriter, ResourceStates, RunOutputLog, RunRecorder, RunReporter, RunSlotGrant, RunSlots } from "./ports.js";
import { describeResult } from "./result-message.js";

/**
 * One task, one run, one linear pipeline — the same for the CLI and the daemon:
 * disabled → requires → confirmation → pre_run / blocking_pre_run → run slot (max_parallel)
 * → exec → record → on_error → post_run / blocking_post_run.
 * Invariant: runTask never throws for anything a task or its config can do; every way a
 * run ends is a TaskOutcome, and every outcome that reached a decision is recorded.
 */

export interface PipelineDeps {
  readonly clock: Clock;
  readonly runner: ProcessRunner;
  readonly prompter: Prompter;
  readonly host: HostFacts;
  readonly service: ServiceFacts;
  readonly states: ResourceStates;
  readonly slots: RunSlots;
  readonly recorder: RunRecorder;
  readonly reporter: RunReporter;
  readonly lastRun: LastRunWriter;
  /** Where a run's full output goes, from its record id. */
  readonly outputLogPath: (rid: string, runId: number) => string;
  readonly openOutputLog: (path: string) => RunOutputLog;
  readonly ownerPid: number;
  readonly ownerStartTime: number | null;
  /** SIGTERM → SIGKILL grace on timeout. */
  readonly killGraceMs?: number;
}

/** Which stage stopped a run before its command ran. */
export type Gate = "disabled" | "requires" | "confirmation" | "identity" | "command" | "pre-run" | "max-parallel" | "run-slot" | "duplicate-slot";

export interface TaskOutcome {
  readonly rid: string;
  /** Set when a stage refused the run (nothing was executed). */
  readonly gate?: Gate;
  readonly status: FinalStatus | "dry-run";
  readonly exitCode: number | null;
  readonly reason?: string;
  /** True when this outcome must make `run` exit 1 (a non-optional failure or refusal). */
  readonly failed: boolean;
  readonly recordId?: number;
}

type Stop = { stop: TaskOutcome };

export async function runTask(task: TaskDef, ctx: RunContext, deps: PipelineDeps): Promise<TaskOutcome> {
  const say = (level: "info" | "warning" | "error", text: string) => deps.reporter.message(level, task.rid, text);
  if (task.disable) {
    say("info", `${task.rid} disabled`);
    return recordRefusal(task, ctx, deps, "disabled", "skipped", "disabled", false);
  }
  const gate = (await checkRequires(task, ctx, deps)) ?? (await checkConfirmation(task, ctx, deps));
  if (gate !== undefined) return gate.stop;
  const setup = execSetup(task, deps.service, ctx, deps.host);
  if ("error" in setup) return refuse(task, ctx, deps, "identity", "aborted", setup.error);
  let command: CommandLine;
  try {
    command = parseCommandLine(task.command);
  } catch (e) {
    return refuse(task, ctx, deps, "command", "aborted", `command: ${(e as Error).message}`);
  }
  if (ctx.dryRun) {
    say("info", `would run (${command.mode}) as ${setup.userName} in ${setup.cwd}: ${command.display}`);
    return { rid: task.rid, status: "dry-run", exitCode: null, failed: false };
  }
  return runWithTriggers(task, ctx, deps, setup, command);
}

async function runWithTriggers(task: TaskDef, ctx: RunContext, deps: PipelineDeps, setup: ExecSetup, command: CommandLine): Promise<TaskOutcome> {
  if (task.preRun !== undefined) await runTrigger(task, deps, setup, "pre_run", task.preRun, false);
  if (task.blockingPreRun !== undefined && !(await runTrigger(task, deps, setup, "blocking_pre_run", task.blockingPreRun, true))) {
    return refuse(task, ctx, deps, "pre-run", "aborted", "blocking_pre_run failed");
  }
  let slot: RunSlotGrant;
  try {
    slot = deps.slots.acquire(task.rid, task.maxParallel, ctx.session);
  } catch (e) {
    return refuse(task, ctx, deps, "run-slot", "aborted", `cannot take a run slot: ${(e as Error).message}`);
  }
  if (!slot.ok) {
    // Refused, not attempted: recorded skipped; a manual run still exits 1 for it.
    const reason = `task is already running ${slot.running} times (max_parallel = ${task.maxParallel})`;
    const counts = ctx.trigger !== "schedule" && !task.optional;
    deps.reporter.message(counts ? "error" : "info", task.rid, reason);
    return recordRefusal(task, ctx, deps, "max-parallel", "skipped", reason, counts);
  }
  let outcome: TaskOutcome;
  try {
    outcome = await execute(task, ctx, deps, setup, command, slot.attachChild);
  } finally {
    slot.release();
  }
  if (outcome.status !== "succeeded" && task.onError !== undefined) await runTrigger(task, deps, setup, "on_error", task.onError, false);
  if (task.postRun !== undefined) await runTrigger(task, deps, setup, "post_run", task.postRun, false);
  if (task.blockingPostRun !== undefined && !(await runTrigger(task, deps, setup, "blocking_post_run", task.blockingPostRun, true))) {
    deps.reporter.message(task.optional ? "warning" : "error", task.rid, "blocking_post_run failed");
    return { ...outcome, failed: !task.optional, reason: outcome.reason ?? "blocking_post_run failed" };
  }
  return outcome;
}

async function checkRequires(task: TaskDef, ctx: RunContext, deps: PipelineDeps): Promise<Stop | undefined> {
  if (task.runRequires.length === 0) return undefined;
  const states = new Map<string, Status>();
  for (const r of task.runRequires) states.set(r.rid, await deps.states.statusOf(r.rid));
  const unmet = unmetRequirement(task.runRequires, states);
  if (unmet === null) return undefined;
  if (ctx.cron) {
    deps.reporter.message("info", task.rid, `skip: ${unmet}`);
    return { stop: await recordRefusal(task, ctx, deps, "requires", "skipped", unmet, false) };
  }
  return { stop: await refuse(task, ctx, deps, "requires", "aborted", unmet) };
}

async function checkConfirmation(task: TaskDef, ctx: RunContext, deps: PipelineDeps): Promise<Stop | undefined> {
  if (!task.confirmation) return undefined; // before touching the terminal: opening stdin is not free
  if (ctx.dryRun && !ctx.confirm) {
    deps.reporter.message("info", task.rid, "would ask for confirmation (pass --confirm to skip the prompt)");
    return undefined;
  }
  let decision = decideConfirmation(task.rid, task.confirmation, { confirm: ctx.confirm, cron: ctx.cron, interactive: deps.prompter.isInteractive() });
  if (decision.kind === "ask") decision = confirmationAnswer(await deps.prompter.ask(decision.prompt, CONFIRMATION_TIMEOUT_MS, ctx.signal));
  if (decision.kind !== "refuse") {
    if (decision.kind === "proceed" && decision.note !== undefined) deps.reporter.message("info", task.rid, decision.note);
    return undefined;
  }
  return { stop: await refuse(task, ctx, deps, "confirmation", ctx.trigger === "schedule" ? "skipped" : "aborted", decision.reason) };
}

/** A refusal that fails the run unless the task is optional. */
function refuse(task: TaskDef, ctx: RunContext, deps: PipelineDeps, gate: Gate, status: FinalStatus, reason: string): Promise<TaskOutcome> {
  const counts = status !== "skipped" && !task.optional;
  deps.reporter.message(counts ? "error" : status === "skipped" ? "info" : "warning", task.rid, reason);
  return recordRefusal(task, ctx, deps, gate, status, reason, counts);
}

async function recordRefusal(task: TaskDef, ctx: RunContext, deps: PipelineDeps, gate: Gate, status: FinalStatus, reason: string, failed: boolean): Promise<TaskOutcome> {
  if (ctx.dryRun) return { rid: task.rid, gate, status, exitCode: null, reason, failed }; // a dry run records nothing
  const now = deps.clock.now();
  const id = deps.recorder.record({
    svc: deps.service.path, rid: task.rid, trigger: ctx.trigger, scheduledFor: ctx.scheduledFor ?? null,
    startedAt: now, endedAt: now, status, reason, initiatedBy: ctx.initiatedBy, session: ctx.session,
  });
  return { rid: task.rid, gate, status, exitCode: null, reason, failed, recordId: id ?? undefined };
}

async function execute(task: TaskDef, ctx: RunContext, deps: PipelineDeps, setup: ExecSetup, command: CommandLine, attachChild: (pid: number, startTime: number | null) => void): Promise<TaskOutcome> {
  const startedAt = deps.clock.now();
  let logPath = "";
  const id = await deps.recorder.begin({
    svc: deps.service.path, rid: task.rid, trigger: ctx.trigger, scheduledFor: ctx.scheduledFor ?? null, startedAt,
    user: setup.userName, initiatedBy: ctx.initiatedBy, session: ctx.session, command: command.display,
    ownerPid: deps.ownerPid, ownerStartTime: deps.ownerStartTime,
  }, (runId) => (logPath = deps.outputLogPath(task.rid, runId)));
  if (id === null) {
    deps.reporter.message("info", task.rid, "this schedule slot already has a run record: not run again");
    return { rid: task.rid, gate: "duplicate-slot", status: "skipped", exitCode: null, reason: "slot already recorded", failed: false };
  }
  deps.reporter.message("info", task.rid, `command: ${command.display}${setup.identity ? ` (as ${setup.userName})` : ""}`);
  const log = deps.openOutputLog(logPath);
  const capture = new OutputCapture();
  const splitter = createOutputSplitter();
  const result = await deps.runner.run({
    argv: command.argv, env: setup.env, cwd: setup.cwd, identity: setup.identity, umask: task.umask, limits: task.limits,
    timeoutMs: task.timeoutMs, killGraceMs: deps.killGraceMs, signal: ctx.signal,
    onSpawn: (pid, startTime) => {
      attachChild(pid, startTime);
      deps.recorder.setPid(id, pid, startTime);
    },
    onOutput: (stream, chunk) => {
      capture.push(stream, chunk);
      log.write(stream, chunk);
      for (const line of splitter.push(stream, chunk)) deps.reporter.output(task.rid, stream, line.text, task.log);
    },
  });
  for (const line of splitter.flush()) deps.reporter.output(task.rid, line.stream, line.text, task.log);
  // The record and last_run are written whatever happened to the full output file.
  await log.close().catch((e: unknown) => deps.reporter.message("warning", task.rid, (e as Error).message));
  return finishRun(task, ctx, deps, id, result, capture);
}

function finishRun(task: TaskDef, ctx: RunContext, deps: PipelineDeps, id: number, result: ProcessResult, capture: OutputCapture): TaskOutcome {
  const described = describeResult(result, task.retcodes, task.timeoutMs);
  const durationMs = result.endedAt - result.startedAt;
  deps.recorder.finish(id, {
    status: described.status, endedAt: result.endedAt, exitCode: result.exitCode, signal: result.signal,
    reason: described.reason ?? null, ...capture.excerpt(),
  });
  deps.lastRun.write(task.rid, {
    at: new Date(result.startedAt).toISOString(), exitCode: result.exitCode, status: described.status, durationMs,
    session: ctx.session, trigger: ctx.trigger,
  });
  const ok = described.status === "succeeded";
  const level = ok ? "info" : task.optional ? "warning" : "error";
  deps.reporter.message(level, task.rid, described.message);
  return { rid: task.rid, status: described.status, exitCode: result.exitCode, reason: described.reason, failed: !ok && !task.optional, recordId: id };
}

/** Runs a trigger command with the task's identity; returns whether it succeeded. */
async function runTrigger(task: TaskDef, deps: PipelineDeps, setup: ExecSetup, name: string, text: string, blocking: boolean): Promise<boolean> {
  let command: CommandLine;
  try {
    command = parseCommandLine(text);
  } catch (e) {
    deps.reporter.message(blocking ? "error" : "warning", task.rid, `${name}: ${(e as Error).message}`);
    return false;
  }
  deps.reporter.message("info", task.rid, `${name}: ${command.display}`);
  const splitter = createOutputSplitter();
  const result = await deps.runner.run({
    argv: command.argv, env: setup.env, cwd: setup.cwd, identity: setup.identity, umask: task.umask, limits: task.limits,
    timeoutMs: task.timeoutMs, killGraceMs: deps.killGraceMs,
    onOutput: (stream, chunk) => {
      for (const line of splitter.push(stream, chunk)) deps.reporter.output(task.rid, stream, line.text, task.log);
    },
  });
  for (const line of splitter.flush()) deps.reporter.output(task.rid, line.stream, line.text, task.log);
  if (result.exitCode === 0) return true;
  const what = result.spawnError ?? (result.exitCode !== null ? `exit code ${result.exitCode}` : `killed by ${result.signal}`);
  deps.reporter.message(blocking ? "error" : "warning", task.rid, `${name}: ${blocking ? "blocking" : "non-blocking"} error [${what}]`);
  return false;
}
