import type { App } from "../../service/app.js";
import { formatObjectPath } from "../../core/object-path.js";
import { classifySection, type ServiceConfig } from "../../config/service.js";
import { aggregateAvail, aggregateOverall } from "../../resource/aggregate.js";
import { resourceState, type ResourceState } from "../../resource/status.js";
import { openService, requireSelector, selectServices } from "../../service/open.js";
import type { HistoryStore } from "../../core/history-store.js";
import type { RunRecord, RunStatus } from "../../core/run-record.js";
import { FORMAT_OPTION, type CliCommand } from "../command.js";
import { formatLocalTime } from "../render.js";

type RunSummary = Pick<RunRecord, "id" | "trigger" | "startedAt" | "durationMs" | "status" | "exitCode" | "reason">;

interface StatusRow extends ResourceState {
  readonly subset?: string;
  /** A task's newest finished run that executed (skips and misses are in print history). */
  readonly lastRun?: RunSummary | null;
  /**
   * A task's runs in progress, oldest first: while one runs, it is what the task is doing,
   * whatever was refused or skipped beside it.
   */
  readonly runningRuns?: readonly RunSummary[];
}

export const printStatusCommand: CliCommand = {
  words: ["print", "status"],
  describe: "Show the service's resources with their states and flags, the instance state, and each task's last run",
  needsService: true,
  options: { format: FORMAT_OPTION },
  async run(args, app) {
    const out: unknown[] = [];
    const history = await app.history.open();
    try {
      for (const path of selectServices(app, requireSelector(args.service))) {
        const { config } = await openService(app, path);
        const rows = await statusRows(app, config, history);
        const avail = aggregateAvail(rows.map(asAggregated));
        const overall = aggregateOverall(rows.map(asAggregated));
        if (args.format === "json") out.push({ service: formatObjectPath(path), avail, overall, resources: rows });
        else app.stdout.write(renderStatus(config.name, app.nodename, avail, overall, rows, app.timezone));
      }
    } finally {
      await history.close();
    }
    if (args.format === "json") app.stdout.write(JSON.stringify(out.length === 1 ? out[0] : out, null, 2) + "\n");
    return 0;
  },
};

async function statusRows(app: App, config: ServiceConfig, history: HistoryStore): Promise<StatusRow[]> {
  const deps = app.services.statusPorts(config);
  const rids = config.rids();
  return Promise.all(
    rids.map(async (rid) => {
      const state = await resourceState(config, rid, deps);
      const isTask = classifySection(rid).kind === "task";
      if (!isTask) return { ...state, subset: config.value<string>(rid, "subset") };
      return { ...state, subset: config.value<string>(rid, "subset"), lastRun: await lastRunOf(history, config.name, rid), runningRuns: await runningRunsOf(history, config.name, rid) };
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

/** The run in progress when there is one (the newest), else the last finished run. */
function runText(r: StatusRow, zone: string): string {
  const running = r.runningRuns?.[r.runningRuns.length - 1];
  if (running !== undefined) {
    const more = r.runningRuns!.length > 1 ? ` (+${r.runningRuns!.length - 1} more running)` : "";
    return `  running #${running.id} since ${formatLocalTime(running.startedAt, zone)} ${running.trigger}${more}`;
  }
  const l = r.lastRun;
  return l ? `  last run #${l.id} ${formatLocalTime(l.startedAt, zone)} ${l.trigger} ${l.status}${l.exitCode !== null ? ` (exit ${l.exitCode})` : ""}` : "";
}

/** OpenSVC-like flags: R running, D disabled, O optional, S standby ('.' when not). */
export function flags(r: ResourceState): string {
  return `${r.running > 0 ? "R" : "."}${r.disabled ? "D" : "."}${r.optional ? "O" : "."}${r.standby ? "S" : "."}`;
}

function renderStatus(name: string, node: string, avail: string, overall: string, rows: readonly StatusRow[], zone: string): string {
  const lines = [`${name}  ${avail}${overall !== avail ? ` (overall ${overall})` : ""}`, `\`- instances`, `   \`- ${node}  ${avail}`];
  const groups = new Map<string, StatusRow[]>();
  for (const r of rows) {
    const g = r.rid.split("#")[0]! + (r.subset ? `:${r.subset}` : "");
    groups.set(g, [...(groups.get(g) ?? []), r]);
  }
  for (const [g, members] of groups) {
    lines.push(`      |- ${g}`);
    for (const r of members) {
      lines.push(`      |  |- ${r.rid.padEnd(18)} ${flags(r)} ${r.status.padEnd(10)} ${r.driver}${runText(r, zone)}`);
      for (const l of r.log) lines.push(`      |  |    ${l}`);
    }
  }
  return lines.join("\n") + "\n";
}
