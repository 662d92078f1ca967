import type { CgroupLimits, ProcessCgroup, ProcessResult } from "../core/ports.js";
import { formatSize } from "../core/size.js";
import { formatDuration } from "../core/duration.js";
import { runRecord, type FinalStatus, type NewRun, type OutputExcerpt, type RunOutcome } from "../core/run-record.js";
import { OutputCapture } from "./output-capture.js";
import type { TaskDef } from "../task/model.js";
import type { CommandLine } from "./command-line.js";
import type { AfterCommand, DriverRun, TaskDriver } from "./task-driver.js";
import type { RunContext } from "./context.js";
import type { ExecSetup } from "./exec-setup.js";
import type { TaskRun } from "./task-run.js";
import type { PipelineDeps } from "./pipeline-deps.js";
import { describeResult, timedOutMessage } from "./result-message.js";
import { reportedLines, runTrigger, type TriggerName, type TriggerResult, type TriggerRun } from "./trigger.js";

/**
 * One run of a task that holds its run slot, from its record to its outcome (design §9):
 *   record begun → pre_run → blocking_pre_run → command → post_run → blocking_post_run
 *   → on_error (when the run failed or timed out) → record finished.
 * Invariants:
 * - the record's status is the whole run's: a failing blocking trigger makes it `failed`
 *   with a reason naming the trigger;
 * - `timeout` is one deadline from the record's start, triggers included; a stage the
 *   deadline has passed is not started. on_error alone still gets ON_ERROR_MIN_MS after a
 *   timeout, so that a timed-out run can report itself;
 * - an interruption (ctx.signal) ends the run as aborted and starts no further stage.
 */

/** How long on_error may run when the run's deadline has already passed. */
export const ON_ERROR_MIN_MS = 10_000;

/** Where the run stands: its status so far and what the record will say. */
interface Verdict {
  readonly status: FinalStatus;
  readonly reason?: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly excerpt?: OutputExcerpt;
  /** What the command's cgroup measured. */
  readonly usage?: { readonly peakMemory: number | null; readonly cpuSeconds: number | null };
  /** True once the command was started: post triggers run only then. */
  readonly commandRan: boolean;
  /** True when the outcome was already reported (the command's own message). */
  readonly reported?: boolean;
}

interface Attempt {
  readonly task: TaskDef;
  readonly ctx: RunContext;
  readonly deps: PipelineDeps;
  readonly setup: ExecSetup;
  readonly id: number;
  /** What the record was begun with. */
  readonly begun: NewRun;
  /** The task process, once started. */
  pid?: { readonly pid: number; readonly startTime: number | null };
  readonly logPath: string;
  readonly startedAt: number;
  /** Epoch ms the run must end by; undefined without `timeout`. */
  readonly deadline?: number;
  readonly env: Record<string, string>;
  /** The task's cgroup limits, node.conf [limits] filling those it does not set. */
  readonly limits: CgroupLimits;
  /** The limits of the run's cgroups: none when the driver enforces them itself (a container's). */
  readonly cgroupLimits: CgroupLimits;
  readonly command: DriverCommand;
}

/** The task's command as its driver built it, the driver, and the facts it was built from. */
export interface DriverCommand {
  readonly command: CommandLine;
  readonly driver: TaskDriver;
  readonly run: DriverRun;
}

export async function runAttempt(task: TaskDef, ctx: RunContext, deps: PipelineDeps, setup: ExecSetup, dc: DriverCommand, attachChild: (pid: number, startTime: number | null) => void): Promise<TaskRun> {
  const { command } = dc;
  const startedAt = deps.clock.now();
  let logPath = "";
  let id: number | null;
  const begun: NewRun = {
    svc: deps.service.path, rid: task.rid, trigger: ctx.trigger, scheduledFor: ctx.scheduledFor ?? null, attempt: ctx.attempt, retryOf: ctx.retryOf, startedAt,
    user: setup.userName, initiatedBy: ctx.initiatedBy, session: ctx.session, command: command.display,
    ownerPid: deps.ownerPid, ownerStartTime: deps.ownerStartTime, inheritedEnv: ctx.inheritEnv === true, node: deps.host.nodename,
  };
  try {
    id = await deps.recorder.begin(begun, (runId) => (logPath = deps.outputLogPath(task.rid, runId)));
  } catch (e) {
    // No task runs without its record (a full var filesystem): not started, and said so.
    const reason = `not run: its record could not be written (${(e as Error).message})`;
    deps.reporter.message("error", task.rid, reason);
    return { rid: task.rid, gate: "record", status: "missed", reason, failed: true };
  }
  if (id === null) {
    deps.reporter.message("info", task.rid, "this schedule slot already has a run record: not run again");
    return { rid: task.rid, gate: "duplicate-slot", status: "skipped", reason: "slot already recorded", failed: false };
  }
  // timeout = 0 means no limit, as for the runner.
  const deadline = task.timeoutMs === undefined || task.timeoutMs <= 0 ? undefined : startedAt + task.timeoutMs;
  const limits = dc.run.limits;
  const cgroupLimits = dc.driver.ownLimits === true ? {} : limits;
  const a: Attempt = { task, ctx, deps, setup, id, begun, logPath, startedAt, deadline, env: setup.env({ SVCMGR_RUN_ID: String(id) }), limits, cgroupLimits, command: dc };
  let verdict = (await preTriggers(a)) ?? (await execute(a, command, attachChild));
  if (verdict.commandRan) verdict = await postTriggers(a, verdict);
  if ((verdict.status === "failed" || verdict.status === "timed_out") && task.onError !== undefined) await onError(a, verdict);
  return await finish(a, verdict);
}

/** Time left before the deadline: undefined without a timeout, 0 once it has passed. */
function timeLeft(a: Attempt): number | undefined {
  return a.deadline === undefined ? undefined : Math.max(0, a.deadline - a.deps.clock.now());
}

/** Runs a trigger within the deadline; a verdict when it ended the run, undefined to go on. */
async function stage(a: Attempt, name: TriggerName, text: string | undefined, blocking: boolean, base: Omit<Verdict, "status" | "reason">): Promise<Verdict | undefined> {
  if (text === undefined) return undefined;
  if (a.ctx.signal?.aborted) return { ...base, status: "aborted", reason: `aborted before ${name}` };
  const left = timeLeft(a);
  if (left === 0) {
    const reason = `timed out after ${formatDuration(a.task.timeoutMs!)}: ${name} not run`;
    const ends = blocking || !base.commandRan;
    a.deps.reporter.message(ends ? "error" : "warning", a.task.rid, reason);
    return ends ? { ...base, status: "timed_out", reason, reported: true } : undefined;
  }
  const r = await runTrigger(a.task, a.setup, a.env, name, text, blocking, left, triggerRun(a));
  return triggerVerdict(a, name, blocking, r, base);
}

function triggerVerdict(a: Attempt, name: TriggerName, blocking: boolean, r: TriggerResult, base: Omit<Verdict, "status" | "reason">): Verdict | undefined {
  if (r.ok) return undefined;
  if (r.aborted) return { ...base, status: "aborted", reason: `aborted in ${name}: its process group was killed` };
  if (r.timedOut) return { ...base, status: "timed_out", reason: timedOutMessage(a.task.timeoutMs!, r.forceKilled, name) };
  return blocking ? { ...base, status: "failed", reason: `${name} failed [${r.what}]` } : undefined;
}

const NOT_RUN = { exitCode: null, signal: null, commandRan: false } as const;

async function preTriggers(a: Attempt): Promise<Verdict | undefined> {
  return (await stage(a, "pre_run", a.task.preRun, false, NOT_RUN)) ?? (await stage(a, "blocking_pre_run", a.task.blockingPreRun, true, NOT_RUN));
}

/** post_run, then blocking_post_run: either may turn a succeeded run into a failed or timed-out one. */
async function postTriggers(a: Attempt, v: Verdict): Promise<Verdict> {
  const base = { exitCode: v.exitCode, signal: v.signal, excerpt: v.excerpt, usage: v.usage, commandRan: true };
  for (const [name, text, blocking] of [["post_run", a.task.postRun, false], ["blocking_post_run", a.task.blockingPostRun, true]] as const) {
    if (a.ctx.signal?.aborted) return v;
    const ended = await stage(a, name, text, blocking, base);
    // A worse outcome of a trigger replaces a success; a failure of the command stays the reason.
    if (ended !== undefined && v.status === "succeeded") v = ended;
  }
  return v;
}

async function onError(a: Attempt, v: Verdict): Promise<void> {
  if (a.ctx.signal?.aborted) return;
  const vars: Record<string, string> = { SVCMGR_RUN_ID: String(a.id), SVCMGR_STATUS: v.status, SVCMGR_LOG: a.logPath };
  if (v.exitCode !== null) vars.SVCMGR_EXIT_CODE = String(v.exitCode);
  const left = timeLeft(a);
  await runTrigger(a.task, a.setup, a.setup.env(vars), "on_error", a.task.onError!, false, left === undefined ? undefined : Math.max(left, ON_ERROR_MIN_MS), triggerRun(a));
}

function triggerRun(a: Attempt): TriggerRun {
  return { runner: a.deps.runner, reporter: a.deps.reporter, killGraceMs: a.deps.killGraceMs, signal: a.ctx.signal, cgroup: (name) => runCgroup(a, name) };
}

/**
 * Every process of a run has its own cgroup, named after the run: `<svc>/<rid>/<id>` for the
 * command, `<svc>/<rid>/<id>.<trigger>` for a trigger (the daemon finds those of a run left
 * by a killed svcmgr by these names).
 */
function runCgroup(a: Attempt, stage?: TriggerName): ProcessCgroup {
  return { path: [a.deps.service.path, a.task.rid, stage === undefined ? String(a.id) : `${a.id}.${stage}`], limits: a.cgroupLimits };
}

async function execute(a: Attempt, command: CommandLine, attachChild: (pid: number, startTime: number | null) => void): Promise<Verdict> {
  const { task, deps } = a;
  if (a.ctx.signal?.aborted) return { ...NOT_RUN, status: "aborted", reason: "aborted before the command" };
  const left = timeLeft(a);
  if (left === 0) return { ...NOT_RUN, status: "timed_out", reason: `timed out after ${formatDuration(task.timeoutMs!)}: the command was not started` };
  deps.reporter.message("info", task.rid, `command: ${command.display}${a.setup.identity ? ` (as ${a.setup.userName})` : ""}`);
  const log = deps.openOutputLog(a.logPath, task.outputMax);
  const lostBefore = deps.reporter.lostLogLines?.().lines ?? 0;
  const capture = new OutputCapture();
  const lines = reportedLines(deps.reporter, task.rid, task.log);
  const ran = await deps.runner.run({
    argv: command.argv, env: a.env, cwd: a.setup.cwd, identity: a.setup.identity, umask: task.umask, limits: task.limits,
    timeoutMs: left, killGraceMs: deps.killGraceMs, signal: a.ctx.signal, cgroup: runCgroup(a),
    onSpawn: (pid, startTime) => {
      a.pid = { pid, startTime };
      attachChild(pid, startTime);
      deps.recorder.setPid(a.id, pid, startTime);
    },
    onOutput: (stream, chunk) => {
      capture.push(stream, chunk);
      log.write(stream, chunk);
      lines.push(stream, chunk);
    },
  });
  lines.flush();
  const after = await afterCommand(a, ran);
  const result = withDriverFindings(ran, after);
  // The record and last_run are written whatever happened to the output file and the service log.
  const notes: string[] = [];
  await log.close().catch((e: unknown) => notes.push(`output file incomplete: ${(e as Error).message}`));
  const lost = deps.reporter.lostLogLines?.();
  if (lost !== undefined && lost.lines > lostBefore) notes.push(`${lost.lines - lostBefore} line(s) not written to the service log (${lost.error ?? "write failed"})`);
  for (const note of notes) deps.reporter.message("warning", task.rid, note);
  for (const note of after.notes ?? []) {
    notes.push(note);
    deps.reporter.message("warning", task.rid, note);
  }
  if (log.cutBytes > 0) {
    notes.push(`output file cut: ${log.cutBytes} bytes in the middle left out (output_max)`);
    deps.reporter.message("info", task.rid, notes.at(-1)!);
  }
  if (result.leftoversKilled !== undefined) {
    deps.reporter.message("info", task.rid, `${result.leftoversKilled} process(es) left behind by the command killed with the run`);
  }
  return commandVerdict(a, result, capture, notes);
}

/** The driver's work once the command ended (a container inspected and removed); never throws. */
async function afterCommand(a: Attempt, result: ProcessResult): Promise<AfterCommand> {
  const { driver, run } = a.command;
  if (driver.afterCommand === undefined) return {};
  try {
    return await driver.afterCommand(a.task, run, result, { runner: a.deps.runner, env: a.env, cwd: a.setup.cwd });
  } catch (e) {
    return { notes: [`${driver.type}: ${(e as Error).message}`] };
  }
}

/** The command's result with what the driver learnt: OOM kills it saw, usage that is not the task's dropped. */
function withDriverFindings(result: ProcessResult, after: AfterCommand): ProcessResult {
  if (after.oomKills === undefined && after.usageNotMeasured !== true) return result;
  const usage = after.usageNotMeasured === true ? { peakMemory: null, cpuSeconds: null, oomKills: 0 } : (result.usage ?? { peakMemory: null, cpuSeconds: null, oomKills: 0 });
  return { ...result, usage: { ...usage, oomKills: usage.oomKills + (after.oomKills ?? 0) } };
}

/**
 * An OOM kill in the command's cgroup: a failure said as such (not "killed by SIGKILL"); when
 * the command still succeeded (a child was killed and the command coped), a note.
 */
function oomVerdict(a: Attempt, result: ProcessResult, described: ReturnType<typeof describeResult>): ReturnType<typeof describeResult> {
  const kills = result.usage?.oomKills ?? 0;
  if (kills === 0) return described;
  const limit = a.limits.memory === undefined ? "its memory limit" : `the memory limit (limit_memory = ${formatSize(a.limits.memory)})`;
  const what = `${kills} process(es) killed by the kernel's OOM killer: the run reached ${limit}`;
  if (described.status === "succeeded") return { ...described, reason: what };
  if (described.status !== "failed") return { ...described, reason: `${described.reason}; ${what}` };
  return { status: "failed", message: `command failed: ${what}`, reason: what };
}

/** `notes`: output that could not be written, said in the record's reason after the outcome's. */
function commandVerdict(a: Attempt, result: ProcessResult, capture: OutputCapture, notes: readonly string[]): Verdict {
  const described = oomVerdict(a, result, describeResult(result, a.task.retcodes, a.task.timeoutMs));
  const ok = described.status === "succeeded";
  a.deps.reporter.message(ok ? "info" : a.task.optional ? "warning" : "error", a.task.rid, described.message);
  const reason = [described.reason, ...notes].filter((r) => r !== undefined).join("; ");
  return {
    status: described.status, reason: reason === "" ? undefined : reason, exitCode: result.exitCode, signal: result.signal,
    excerpt: capture.excerpt(), commandRan: result.pid !== null, reported: true,
    ...(result.usage === undefined ? {} : { usage: { peakMemory: result.usage.peakMemory, cpuSeconds: result.usage.cpuSeconds } }),
  };
}

async function finish(a: Attempt, v: Verdict): Promise<TaskRun> {
  const { task, deps } = a;
  const endedAt = deps.clock.now();
  const outcome: RunOutcome = { status: v.status, endedAt, exitCode: v.exitCode, signal: v.signal, reason: v.reason ?? null, ...v.excerpt, ...v.usage };
  await deps.recorder.finish(a.id, outcome);
  deps.lastRun.write(task.rid, {
    at: new Date(a.startedAt).toISOString(), exitCode: v.exitCode, status: v.status, durationMs: endedAt - a.startedAt,
    session: a.ctx.session, trigger: a.ctx.trigger,
  });
  const ok = v.status === "succeeded";
  if (!ok && v.reported !== true) deps.reporter.message(task.optional ? "warning" : "error", task.rid, `run ${v.status}: ${v.reason ?? ""}`);
  const record = runRecord(a.id, a.begun, outcome, { pid: a.pid?.pid, pidStartTime: a.pid?.startTime, logFile: a.logPath === "" ? null : a.logPath });
  return { rid: task.rid, status: v.status, reason: v.reason, failed: !ok && !task.optional, record };
}
