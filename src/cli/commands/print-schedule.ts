import { scheduleRows, type ScheduleRow } from "../../service/schedule-report.js";
import { openService, requireSelector, selectServices } from "../../service/open.js";
import { FORMAT_OPTION, type CliCommand } from "../command.js";
import { formatLocalTime, renderTable, zoneHeader } from "../render.js";

export const printScheduleCommand: CliCommand = {
  words: ["print", "schedule"],
  describe: "Show each task's schedule: last scheduled run, last run of any kind, the next run the daemon takes (or who suspended it, when, why), the parameter that defines it, its time zone, and why a task is not scheduled here",
  needsService: true,
  options: { format: FORMAT_OPTION },
  async run(args, app) {
    const history = await app.history.open();
    try {
      const rows: ScheduleRow[] = [];
      for (const path of selectServices(app, requireSelector(args.service))) {
        const { config, warnings } = await openService(app, path);
        rows.push(...(await scheduleRows(app, config, warnings, history, (ms) => formatLocalTime(ms, app.timezone))));
      }
      if (args.format === "json") app.stdout.write(JSON.stringify(rows, null, 2) + "\n");
      else app.stdout.write(renderTable(headers(app.timezone), rows.map(textRow)));
    } finally {
      await history.close();
    }
    return 0;
  },
};

function headers(zone: string): string[] {
  const z = zoneHeader(zone);
  return ["SERVICE", "ACTION", "RID", `LAST SCHEDULED ${z}`, `LAST RUN ${z}`, `NEXT RUN ${z}`, "CONFIG PARAMETER", "SCHEDULE DEFINITION", "SCHEDULE TIMEZONE"];
}

function textRow(r: ScheduleRow): string[] {
  const lastRun = r.lastRun === null ? "-" : `${r.lastRun} (${r.lastRunTrigger})`;
  const next = r.notScheduled !== null ? `never: ${r.notScheduled}` : r.suspended !== null ? suspendedText(r.suspended) : r.nextRun === null ? "never" : nextText(r);
  return [r.service, r.action, r.rid, r.lastScheduled ?? "-", lastRun, next, r.configParameter, r.scheduleDefinition, r.timezone];
}

/** NEXT RUN of a suspended task: none until resumed. */
function suspendedText(s: NonNullable<ScheduleRow["suspended"]>): string {
  return `suspended by ${s.by} since ${s.at}${s.reason === null ? "" : ` (${s.reason})`}`;
}

function nextText(r: ScheduleRow): string {
  const when = r.overdueSlot === null ? r.nextRun! : r.lastScheduled === null ? "now (never run on schedule yet)" : `now (slot ${r.overdueSlot} is due)`;
  return r.daemonRunning ? when : `${when}, once a daemon runs (none is running)`;
}
