import { formatObjectPath } from "../../core/object-path.js";
import type { ResourceState } from "../../resource/status.js";
import { openService, requireSelector, selectServices } from "../../service/open.js";
import { statusReport, type StatusRow } from "../../service/status-report.js";
import { FORMAT_OPTION, type CliCommand } from "../command.js";
import { formatLocalTime } from "../render.js";

export const printStatusCommand: CliCommand = {
  words: ["print", "status"],
  describe: "Show the service's resources with their states and flags, the instance state, each task's last run, and whether its schedule is suspended",
  needsService: true,
  options: { format: FORMAT_OPTION },
  async run(args, app) {
    const out: unknown[] = [];
    const history = await app.history.open();
    try {
      for (const path of selectServices(app, requireSelector(args.service))) {
        const { config } = await openService(app, path);
        const report = await statusReport(app, config, history);
        if (args.format === "json") out.push({ ...report, service: formatObjectPath(path) });
        else app.stdout.write(renderStatus(config.name, app.nodename, report.avail, report.overall, report.resources, app.timezone));
      }
    } finally {
      await history.close();
    }
    if (args.format === "json") app.stdout.write(JSON.stringify(out.length === 1 ? out[0] : out, null, 2) + "\n");
    return 0;
  },
};

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

/** A suspended task's schedule: who, since when. */
function suspendedNote(r: StatusRow, zone: string): string {
  const s = r.suspended;
  return s == null ? "" : `  [schedule suspended by ${s.by} since ${formatLocalTime(s.at, zone)}${s.reason === null ? "" : `: ${s.reason}`}]`;
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
      lines.push(`      |  |- ${r.rid.padEnd(18)} ${flags(r)} ${r.status.padEnd(10)} ${r.driver}${runText(r, zone)}${suspendedNote(r, zone)}`);
      for (const l of r.log) lines.push(`      |  |    ${l}`);
    }
  }
  return lines.join("\n") + "\n";
}
