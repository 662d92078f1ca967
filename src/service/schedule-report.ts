import type { App } from "./app.js";
import { resourceErrors, type Alert } from "../core/alert.js";
import type { HistoryStore } from "../core/history-store.js";
import type { ServiceConfig } from "../config/service.js";
import { taskDef, type TaskDef } from "../task/model.js";
import { notScheduledReason } from "../task/not-scheduled.js";
import { describeNotScheduled } from "../scheduler/task.js";
import { nextRunOf } from "./next-run.js";

/**
 * One task's schedule as the daemon sees it. Times are in the host's zone (`displayTimezone`,
 * the zone of print history too), with their offset; `timezone` is the zone the schedule is
 * evaluated in.
 */
export interface ScheduleRow {
  service: string;
  action: "run";
  rid: string;
  /** The last slot the daemon ran or recorded (only scheduled runs move a schedule). */
  lastScheduled: string | null;
  /** The last run of any kind (manual or scheduled) that executed, and how it was started. */
  lastRun: string | null;
  lastRunTrigger: string | null;
  /** When the daemon takes the next run; null when never (then notScheduled says why). */
  nextRun: string | null;
  /** A due slot not taken yet: the daemon runs it at its next plan (now, or when it starts). */
  overdueSlot: string | null;
  configParameter: string;
  scheduleDefinition: string;
  timezone: string;
  displayTimezone: string;
  notScheduled: string | null;
  /** Whether a daemon runs for this root: without one, nothing runs on schedule. */
  daemonRunning: boolean;
  /** Set while the task's schedule is suspended: by whom, since when (display time), why. */
  suspended: { by: string; at: string; reason: string | null } | null;
}

export async function scheduleRows(app: App, config: ServiceConfig, alerts: readonly Alert[], history: HistoryStore, show: (ms: number) => string): Promise<ScheduleRow[]> {
  const { taskSchedule } = await import("../task/schedule.js");
  const { noRunAheadReason } = await import("../task/run-ahead.js");
  const now = new Date(app.clock.now());
  const refused = resourceErrors(alerts);
  const daemonRunning = app.daemon.running() !== null;
  const suspensions = app.services.suspensions(config);
  const rows: ScheduleRow[] = [];
  for (const rid of config.rids("task")) {
    const task = taskDef(config, rid);
    const lastSlot = await history.lastScheduled(config.name, rid);
    const last = await history.lastRun(config.name, rid, { ranOnly: true });
    const suspended = suspensions.read(rid);
    const schedule = whyNotScheduled(config, task, refused.get(rid)) === null ? taskSchedule(task, config.name, app.nodename, app.timezone) : null;
    // The daemon refuses a task with no run in the next 5 years (design §6).
    const why = schedule === null ? whyNotScheduled(config, task, refused.get(rid)) : noRunAheadReason(schedule, now);
    const next = why === null && schedule !== null
      ? nextRunOf({ schedule, catchup: task.catchup, catchupWindowMs: task.catchupWindowMs ?? null, lastScheduled: lastSlot }, now)
      : null;
    rows.push({
      service: config.name, action: "run", rid,
      lastScheduled: orNull(lastSlot, show), lastRun: orNull(last?.startedAt, show), lastRunTrigger: last?.trigger ?? null,
      nextRun: orNull(next?.at?.getTime(), show), overdueSlot: orNull(next?.overdueSlot?.getTime(), show),
      configParameter: task.scheduleParameter, scheduleDefinition: task.schedule === "" ? "-" : task.schedule,
      timezone: task.timezone ?? app.timezone, displayTimezone: app.timezone,
      notScheduled: why, daemonRunning,
      suspended: suspended === null ? null : { by: suspended.by, at: show(suspended.at), reason: suspended.reason },
    });
  }
  return rows;
}

/** Why the daemon never runs this task on this node, or null when it does. */
function whyNotScheduled(config: ServiceConfig, task: TaskDef, errors: readonly Alert[] | undefined): string | null {
  if (!config.isNodeMember()) {
    const nodes = config.node.nodes.join(" ") || "-";
    const drp = config.node.drpnodes.join(" ") || "-";
    return `not scheduled here: this node (${config.ctx.nodename}) is not in DEFAULT.nodes (${nodes}) nor DEFAULT.drpnodes (${drp})`;
  }
  if (errors !== undefined) return `not scheduled here: ${errors.map((a) => `${a.message} (${a.file}:${a.line ?? "?"})`).join("; ")}`;
  const reason = notScheduledReason(task);
  return reason === null ? null : describeNotScheduled(reason);
}

function orNull(ms: number | null | undefined, show: (ms: number) => string): string | null {
  return ms === null || ms === undefined ? null : show(ms);
}
