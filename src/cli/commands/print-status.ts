import type { App } from "../../app.js";
import { formatObjectPath } from "../../core/object-path.js";
import { classifySection, type ServiceConfig } from "../../config/service.js";
import { aggregateAvail, aggregateOverall } from "../../resource/aggregate.js";
import { resourceState, type ResourceState } from "../../resource/status.js";
import { openService, requireSelector, selectServices } from "../../service/open.js";
import { readLastRunFile, statusDeps } from "../../service/wiring.js";
import type { LastRun } from "../../run/ports.js";
import { FORMAT_OPTION, type CliCommand } from "../command.js";
import { formatLocalTime } from "../render.js";

interface StatusRow extends ResourceState {
  readonly subset?: string;
  readonly lastRun?: LastRun | null;
}

export const printStatusCommand: CliCommand = {
  words: ["print", "status"],
  describe: "Show the service's resources with their states and flags, the instance state, and each task's last run",
  needsService: true,
  options: { format: FORMAT_OPTION },
  async run(args, app) {
    const out: unknown[] = [];
    for (const path of selectServices(app, requireSelector(args.service))) {
      const { config } = openService(app, path);
      const rows = await statusRows(app, config);
      const avail = aggregateAvail(rows.map(asAggregated));
      const overall = aggregateOverall(rows.map(asAggregated));
      if (args.format === "json") out.push({ service: formatObjectPath(path), avail, overall, resources: rows });
      else app.stdout.write(renderStatus(config.name, app.nodename, avail, overall, rows));
    }
    if (args.format === "json") app.stdout.write(JSON.stringify(out.length === 1 ? out[0] : out, null, 2) + "\n");
    return 0;
  },
};

async function statusRows(app: App, config: ServiceConfig): Promise<StatusRow[]> {
  const deps = statusDeps(app, config);
  const rids = config.rids();
  return Promise.all(
    rids.map(async (rid) => {
      const state = await resourceState(config, rid, deps);
      const isTask = classifySection(rid).kind === "task";
      return { ...state, subset: config.value<string>(rid, "subset"), lastRun: isTask ? readLastRunFile(config, rid) : undefined };
    }),
  );
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
      const last = r.lastRun ? `  last run ${formatLocalTime(Date.parse(r.lastRun.at))} ${r.lastRun.status}${r.lastRun.exitCode !== null ? ` (exit ${r.lastRun.exitCode})` : ""}` : "";
      lines.push(`      |  |- ${r.rid.padEnd(18)} ${flags(r)} ${r.status.padEnd(10)} ${r.driver}${last}`);
      for (const l of r.log) lines.push(`      |  |    ${l}`);
    }
  }
  return lines.join("\n") + "\n";
}
