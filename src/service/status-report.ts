import type { App } from "./app.js";
import { classifySection, type ServiceConfig } from "../config/service.js";
import { aggregateAvail, aggregateOverall } from "../resource/aggregate.js";
import { resourceState, type ResourceState } from "../resource/status.js";
import type { HistoryStore } from "../core/history-store.js";
import type { RunRecord, RunStatus } from "../core/run-record.js";
import type { Suspension } from "../core/suspension.js";

/**
 * A service's status as `print status --format json` and `GET /api/v1/services/{svc}` show it:
 * each resource's state and flags, each task's last run and runs in progress, and the
 * instance's aggregate states.
 */
export interface StatusReport {
  readonly service: string;
  readonly avail: string;
  readonly overall: string;
  readonly resources: readonly StatusRow[];
}

/** With `runs: false`, only the resources' states (no history read): for a list of many services. */
export async function statusReport(app: App, config: ServiceConfig, history: HistoryStore, opts: { readonly runs?: boolean } = {}): Promise<StatusReport> {
  const rows = await statusRows(app, config, opts.runs === false ? null : history);
  return { service: config.name, avail: aggregateAvail(rows.map(asAggregated)), overall: aggregateOverall(rows.map(asAggregated)), resources: rows };
}

type RunSummary = Pick<RunRecord, "id" | "trigger" | "startedAt" | "durationMs" | "status" | "exitCode" | "reason">;

export interface StatusRow extends ResourceState {
  readonly subset?: string;
  /** A task's newest finished run that executed (skips and misses are in print history). */
  readonly lastRun?: RunSummary | null;
  /**
   * A task's runs in progress, oldest first: while one runs, it is what the task is doing,
   * whatever was refused or skipped beside it.
   */
  readonly runningRuns?: readonly RunSummary[];
  /** A task whose schedule is suspended: by whom, since when (epoch ms), why; null when not. */
  readonly suspended?: Suspension | null;
}

async function statusRows(app: App, config: ServiceConfig, history: HistoryStore | null): Promise<StatusRow[]> {
  const deps = app.services.statusPorts(config);
  const suspensions = app.services.suspensions(config);
  const rids = config.rids();
  return Promise.all(
    rids.map(async (rid) => {
      const state = await resourceState(config, rid, deps);
      const isTask = classifySection(rid).kind === "task";
      if (!isTask || history === null) return { ...state, subset: config.value<string>(rid, "subset") };
      const [lastRun, runningRuns] = [await lastRunOf(history, config.name, rid), await runningRunsOf(history, config.name, rid)];
      return { ...state, subset: config.value<string>(rid, "subset"), lastRun, runningRuns, suspended: suspensions.read(rid) };
    }),
  );
}

/** Finished statuses of runs that executed (skips and misses never ran). */
const RAN: RunStatus[] = ["succeeded", "failed", "timed_out", "aborted", "interrupted"];

/**
 * The run that finished last among the newest ones: an attempt refused while a long run went
 * on starts later but ends first, and must not pass for the task's last run once that run ends.
 */
async function lastRunOf(history: HistoryStore, svc: string, rid: string): Promise<StatusRow["lastRun"]> {
  const recent = await history.query({ svc, rid, status: RAN, limit: 20 });
  const last = recent.reduce<RunRecord | null>((best, r) => (best === null || (r.endedAt ?? r.startedAt) > (best.endedAt ?? best.startedAt) ? r : best), null);
  return last === null ? null : summary(last);
}

async function runningRunsOf(history: HistoryStore, svc: string, rid: string): Promise<RunSummary[]> {
  return (await history.query({ svc, rid, status: ["running"] })).reverse().map(summary);
}

function summary(r: RunRecord): RunSummary {
  return { id: r.id, trigger: r.trigger, startedAt: r.startedAt, durationMs: r.durationMs, status: r.status, exitCode: r.exitCode, reason: r.reason };
}

function asAggregated(r: StatusRow) {
  return { rid: r.rid, status: r.status, optional: r.optional, standby: r.standby, disabled: r.disabled, isTask: r.driver.startsWith("task") };
}

