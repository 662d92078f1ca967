import type { RunRecord } from "../core/run-record.js";
import type { RunPlan, TaskRun } from "../run/task-run.js";

/**
 * `run --format json`: one entry per selected task, in run order. Field names are stable
 * (camelCase). `record` is the history record as `print run --format json` shows it (null when
 * nothing was recorded: a dry run, a task not reached); `plan` is what a dry run would execute.
 */
export interface RunSummaryEntry {
  readonly svc: string;
  readonly rid: string;
  readonly status: TaskRun["status"];
  readonly exitCode: number | null;
  readonly reason: string | null;
  readonly runId: number | null;
  readonly record: RunRecord | null;
  readonly plan: RunPlan | null;
}

export function summaryEntry(svc: string, o: TaskRun): RunSummaryEntry {
  const record = o.record ?? null;
  return {
    svc, rid: o.rid, status: o.status, exitCode: record?.exitCode ?? null, reason: o.reason ?? null,
    runId: record?.id ?? null, record, plan: o.plan ?? null,
  };
}

/** The dry-run line of a task, for stdout: what would run, how, as whom, where. */
export function planLine(svc: string, rid: string, plan: RunPlan): string {
  return `${svc} ${rid}: would run (${plan.mode}) as ${plan.user} in ${plan.cwd}: ${plan.command}\n`;
}
