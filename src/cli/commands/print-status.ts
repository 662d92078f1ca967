import type { App } from "../../app.js";
import { formatObjectPath } from "../../core/object-path.js";
import { classifySection, type ServiceConfig } from "../../config/service.js";
import { aggregateAvail, aggregateOverall } from "../../resource/aggregate.js";
import { resourceState, type ResourceState } from "../../resource/status.js";
import { openService, requireSelector, selectServices } from "../../service/open.js";
import { statusDeps } from "../../service/wiring.js";
import { historyDbFile } from "../../core/paths.js";
import { openHistory, type HistoryStore } from "../../history/store.js";
import type { RunRecord } from "../../history/record.js";
import { FORMAT_OPTION, type CliCommand } from "../command.js";
import { formatLocalTime } from "../render.js";

interface StatusRow extends ResourceState {
  readonly subset?: string;
  /** A task's newest run that executed (skips and misses are in print history). */
  readonly lastRun?: Pick<RunRecord, "id" | "trigger" | "startedAt" | "durationMs" | "status" | "exitCode" | "reason"> | null;
}

export const printStatusCommand: CliCommand = {
  words: ["print", "status"],
  describe: "Show the service's resources with their states and flags, the instance state, and each task's last run",
  needsService: true,
  options: { format: FORMAT_OPTION },
  async run(args, app) {
    const out: unknown[] = [];
    const history = openHistory(historyDbFile(app.paths));
    try {
      for (const path of selectServices(app, requireSelector(args.service))) {
        const { config } = await openService(app, path);
        const rows = await statusRows(app, config, history);
        const avail = aggregateAvail(rows.map(asAggregated));
        const overall = aggregateOverall(rows.map(asAggregated));
        if (args.format === "json") out.push({ service: formatObjectPath(path), avail, overall, resources: rows });
        else app.stdout.write(renderStatus(config.name, app.nodename, avail, overall, rows));
      }
    } finally {
      history.close();
    }
    if (args.format === "json") app.stdout.write(JSON.stringify(out.length === 1 ? out[0] : out, null, 2) + "\n");
    return 0;
  },
};

async function statusRows(app: App, config: ServiceConfig, history: HistoryStore): Promise<StatusRow[]> {
  const deps = statusDeps(app, config);
  const rids = config.rids();
  return Promise.all(
    rids.map(async (rid) => {
      const state = await resourceState(config, rid, deps);
      const isTask = classifySection(rid).kind === "task";
      return { ...state, subset: config.value<string>(rid, "subset"), lastRun: isTask ? lastRunOf(history, config.name, rid) : undefined };
    }),
  );
}

function lastRunOf(history: HistoryStore, svc: string, rid: string): StatusRow["lastRun"] {
  const r = history.lastRun(svc, rid, { ranOnly: true });
  return r === null ? null : { id: r.id, trigger: r.trigger, startedAt: r.startedAt, durationMs: r.durationMs, status: r.status, exitCode: r.exitCode, reason: r.reason };
}

function asAggregated(r: StatusRow) {
  return { rid: r.rid, status: r.status, optional: r.optional, standby: r.standby, disabled: r.disabled, isTask: r.driver.startsWith("task") };
}

/** OpenSVC-like flags: R running, D disabled, O optional, S standby ('.' when not). */
export function flags(r: ResourceState): string {
  return `${r.running > 0 ? "R" : "."}${r.disabled ? "D" : "."}${r.optional ? "O" : "."}${r.standby ? "S" : "."}`;
}

function renderStatus(name: string, node: string, avail: string, overall: string, rows: readonly StatusRow[]): string {
  const lines = [`${name}  ${avail}${overall !== avail ? ` (overall ${overall})` : ""}`, `\`- instances`, `   \`- ${node}  ${avail}`];
  const groups = new Map<string, StatusRow[]>();
  for (const r of rows) {
    const g = r.rid.split("#")[0]! + (r.subset ? `:${r.subset}` : "");
    groups.set(g, [...(groups.get(g) ?? []), r]);
  }
  for (const [g, members] of groups) {
    lines.push(`      |- ${g}`);
    for (const r of members) {
      const last = r.lastRun ? `  last run #${r.lastRun.id} ${formatLocalTime(r.lastRun.startedAt)} ${r.lastRun.trigger} ${r.lastRun.status}${r.lastRun.exitCode !== null ? ` (exit ${r.lastRun.exitCode})` : ""}` : "";
      lines.push(`      |  |- ${r.rid.padEnd(18)} ${flags(r)} ${r.status.padEnd(10)} ${r.driver}${last}`);
      for (const l of r.log) lines.push(`      |  |    ${l}`);
    }
  }
  return lines.join("\n") + "\n";
}
