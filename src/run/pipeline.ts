import type { Status } from "../core/status.js";
import { runRecord, type FinalStatus } from "../core/run-record.js";
import type { TaskDef } from "../task/model.js";
import { runAttempt } from "./attempt.js";
import type { RunContext } from "./context.js";
import type { CommandLine } from "./command-line.js";
import { execSetup, type ExecSetup } from "./exec-setup.js";
import { CONFIRMATION_TIMEOUT_MS, confirmationAnswer, decideConfirmation } from "./gates.js";
import { unmetRequirement } from "../config/requires.js";
import type { RunSlotGrant } from "../core/run-ports.js";
import type { PipelineDeps } from "./pipeline-deps.js";
import type { Gate, TaskRun } from "./task-run.js";
import type { DriverRun } from "./task-driver.js";
import type { DriverCommand } from "./attempt.js";

/**
 * One task, one run, one linear pipeline — the same for the CLI and the daemon:
 * disabled → requires → confirmation → run slot (max_parallel) → the run itself (attempt.ts:
 * record, pre_run, blocking_pre_run, command, post_run, blocking_post_run, on_error).
 * Invariant: runTask never throws for anything a task or its config can do; every way a
 * run ends is a TaskRun, and every run that reached a decision is recorded: its TaskRun
 * carries that very record.
 */

type Stop = { stop: TaskRun };

export async function runTask(task: TaskDef, ctx: RunContext, deps: PipelineDeps): Promise<TaskRun> {
  const say = (level: "info" | "warning" | "error", text: string) => deps.reporter.message(level, task.rid, text);
  if (task.disable) {
    say("info", `${task.rid} disabled`);
    return recordRefusal(task, ctx, deps, "disabled", "skipped", "disabled", false);
  }
  const gate = (await checkRequires(task, ctx, deps)) ?? (await checkConfirmation(task, ctx, deps));
  if (gate !== undefined) return gate.stop;
  const setup = execSetup(task, deps.service, ctx, deps.host);
  if ("error" in setup) return refuse(task, ctx, deps, "identity", "aborted", setup.error);
  const driver = deps.drivers.get(task.type);
  if (driver === undefined) return refuse(task, ctx, deps, "command", "aborted", `no driver for ${task.type} on this node`);
  const run = driverRun(task, ctx, deps, setup);
  let command: CommandLine;
  try {
    command = driver.commandLine(task, run);
  } catch (e) {
    return refuse(task, ctx, deps, "command", "aborted", `command: ${(e as Error).message}`);
  }
  if (ctx.dryRun) {
    const plan = { mode: command.mode, argv: command.argv, command: command.display, user: setup.userName, cwd: setup.cwd, env: setup.env() };
    return { rid: task.rid, status: "dry-run", plan, failed: false };
  }
  return runHoldingSlot(task, ctx, deps, setup, { command, driver, run });
}

/** Run facts for the driver: the limits with node.conf's defaults, and the task's own variables. */
function driverRun(task: TaskDef, ctx: RunContext, deps: PipelineDeps, setup: ExecSetup): DriverRun {
  const own = new Set([...Object.keys(task.environment), ...Object.keys(ctx.extraEnv), "LANG", "TZ"]);
  const envNames = Object.keys(setup.env({ SVCMGR_RUN_ID: "" })).filter((k) => k.startsWith("SVCMGR_") || own.has(k));
  return { svc: deps.service.path, session: ctx.session, limits: { ...deps.cgroupDefaults, ...task.cgroupLimits }, envNames };
}

async function runHoldingSlot(task: TaskDef, ctx: RunContext, deps: PipelineDeps, setup: ExecSetup, command: DriverCommand): Promise<TaskRun> {
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
function refuse(task: TaskDef, ctx: RunContext, deps: PipelineDeps, gate: Gate, status: FinalStatus, reason: string): Promise<TaskRun> {
  const counts = status !== "skipped" && !task.optional;
  deps.reporter.message(counts ? "error" : status === "skipped" ? "info" : "warning", task.rid, reason);
  return recordRefusal(task, ctx, deps, gate, status, reason, counts);
}

async function recordRefusal(task: TaskDef, ctx: RunContext, deps: PipelineDeps, gate: Gate, status: FinalStatus, reason: string, failed: boolean): Promise<TaskRun> {
  if (ctx.dryRun) return { rid: task.rid, gate, status, reason, failed }; // a dry run records nothing
  const now = deps.clock.now();
  const run = {
    svc: deps.service.path, rid: task.rid, trigger: ctx.trigger, scheduledFor: ctx.scheduledFor ?? null, attempt: ctx.attempt, retryOf: ctx.retryOf,
    startedAt: now, endedAt: now, status, reason, initiatedBy: ctx.initiatedBy, session: ctx.session, node: deps.host.nodename,
  };
  const id = await deps.recorder.record(run);
  return { rid: task.rid, gate, status, reason, failed, record: id === null ? undefined : runRecord(id, run, run) };
}
