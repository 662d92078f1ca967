import type { App } from "../../app.js";
import { historyDbFile } from "../../core/paths.js";
import { openHistory, type HistoryStore } from "../../history/store.js";
import type { ServiceConfig } from "../../config/service.js";
import { taskDef } from "../../task/model.js";
import { notScheduledReason } from "../../task/not-scheduled.js";
import { describeNotScheduled } from "../../daemon/task.js";
import { openService, requireSelector, selectServices } from "../../service/open.js";
import { FORMAT_OPTION, type CliCommand } from "../command.js";
import { formatLocalTime, renderTable } from "../render.js";

interface ScheduleRow {
  service: string;
  action: "run";
  rid: string;
  lastRun: string | null;
  nextRun: string | null;
  configParameter: string;
  scheduleDefinition: string;
  timezone: string;
  notScheduled: string | null;
}

export const printScheduleCommand: CliCommand = {
  words: ["print", "schedule"],
  describe: "Show each task's schedule: last run, next run, the parameter that defines it, its time zone, and why a task is never scheduled",
  needsService: true,
  options: { format: FORMAT_OPTION },
  async run(args, app) {
    const history = openHistory(historyDbFile(app.paths));
    try {
      const rows: ScheduleRow[] = [];
      for (const path of selectServices(app, requireSelector(args.service))) rows.push(...(await scheduleRows(app, (await openService(app, path)).config, history)));
      if (args.format === "json") app.stdout.write(JSON.stringify(rows, null, 2) + "\n");
      else app.stdout.write(renderTable(["SERVICE", "ACTION", "LAST RUN", "NEXT RUN", "CONFIG PARAMETER", "SCHEDULE DEFINITION", "TIMEZONE"], rows.map(textRow)));
    } finally {
      history.close();
    }
    return 0;
  },
};

async function scheduleRows(app: App, config: ServiceConfig, history: HistoryStore): Promise<ScheduleRow[]> {
  const { taskSchedule } = await import("../../task/schedule.js");
  const now = new Date(app.clock.now());
  return config.rids("task").map((rid) => {
    const task = taskDef(config, rid);
    const zone = task.timezone ?? app.timezone;
    const reason = notScheduledReason(task);
    const lastSlot = history.lastScheduled(config.name, rid);
    const last = history.lastRun(config.name, rid, { ranOnly: true });
    const next = reason === null ? taskSchedule(task, config.name, app.nodename, app.timezone).next(now, lastSlot === null ? null : new Date(lastSlot)) : null;
    return {
      service: config.name, action: "run", rid,
      lastRun: last === null ? null : formatLocalTime(last.startedAt, zone),
      nextRun: next === null ? null : formatLocalTime(next.getTime(), zone),
      configParameter: task.scheduleParameter, scheduleDefinition: task.schedule === "" ? "-" : task.schedule, timezone: zone,
      notScheduled: reason === null ? null : describeNotScheduled(reason),
    };
  });
}

function textRow(r: ScheduleRow): string[] {
  const next = r.notScheduled !== null ? `never: ${r.notScheduled}` : (r.nextRun ?? "never");
  return [r.service, r.action, r.lastRun ?? "-", next, r.configParameter, r.scheduleDefinition, r.timezone];
}
