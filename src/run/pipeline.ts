import type { ProcessRunner, Prompter, Clock } from "../core/ports.js";
import type { Status } from "../core/status.js";
import type { FinalStatus } from "../core/run-record.js";
import type { TaskDef } from "../task/model.js";
import { runAttempt } from "./attempt.js";
import type { RunContext } from "./context.js";
import { parseCommandLine, type CommandLine } from "./command-line.js";
import { execSetup, type ExecSetup, type HostFacts, type ServiceFacts } from "./exec-setup.js";
import { CONFIRMATION_TIMEOUT_MS, confirmationAnswer, decideConfirmation, unmetRequirement } from "./gates.js";
import type { LastRunWriter, ResourceStates, RunOutputLog, RunRecorder, RunReporter, RunSlotGrant, RunSlots } from "../core/run-ports.js";

/**
 * One task, one run, one linear pipeline — the same for the CLI and the daemon:
 * disabled → requires → confirmation → run slot (max_parallel) → the run itself (attempt.ts:
 * record, pre_run, blocking_pre_run, command, post_run, blocking_post_run, on_error).
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
  /** `maxBytes`: the task's `output_max`, when it sets one. */
  readonly openOutputLog: (path: string, maxBytes: number | undefined) => RunOutputLog;
  readonly ownerPid: number;
  readonly ownerStartTime: number | null;
  /** SIGTERM → SIGKILL grace on timeout. */
  readonly killGraceMs?: number;
}

/** Which stage stopped a run before its command ran. */
export type Gate = "disabled" | "requires" | "confirmation" | "identity" | "command" | "max-parallel" | "run-slot" | "duplicate-slot" | "record";

/** What a dry run would execute. */
export interface RunPlan {
  readonly mode: CommandLine["mode"];
  readonly argv: readonly string[];
  /** argv quoted for a shell. */
  readonly command: string;
  readonly user: string;
  readonly cwd: string;
  /** The environment, but the SVCMGR_* variables known once the run has begun (SVCMGR_RUN_ID). */
  readonly env: Readonly<Record<string, string>>;
}

export interface TaskOutcome {
  readonly rid: string;
  /** Set when a stage refused the run (nothing was executed). */
  readonly gate?: Gate;
  /** `not-run`: not reached, a previous task failed or the run was interrupted (see run-tasks.ts). */
  readonly status: FinalStatus | "dry-run" | "not-run";
  /** Set for dry runs. */
  readonly plan?: RunPlan;
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
    const plan = { mode: command.mode, argv: command.argv, command: command.display, user: setup.userName, cwd: setup.cwd, env: setup.env() };
    return { rid: task.rid, status: "dry-run", plan, exitCode: null, failed: false };
  }
  return runHoldingSlot(task, ctx, deps, setup, command);
}

async function runHoldingSlot(task: TaskDef, ctx: RunContext, deps: PipelineDeps, setup: ExecSetup, command: CommandLine): Promise<TaskOutcome> {
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
  try {
    return await runAttempt(task, ctx, deps, setup, command, slot.attachChild);
  } finally {
    slot.release();
  }
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
    svc: deps.service.path, rid: task.rid, trigger: ctx.trigger, scheduledFor: ctx.scheduledFor ?? null, attempt: ctx.attempt, retryOf: ctx.retryOf,
    startedAt: now, endedAt: now, status, reason, initiatedBy: ctx.initiatedBy, session: ctx.session,
  });
  return { rid: task.rid, gate, status, exitCode: null, reason, failed, recordId: id ?? undefined };
}
