import type { App } from "../../service/app.js";
import { ActionError, PermissionError, UsageError } from "../../core/errors.js";
import { formatAlert } from "../../core/alert.js";
import type { HistoryStore } from "../../core/history-store.js";
import { badSuspendReason, suspensionView } from "../../core/suspension.js";
import type { CompleteRun } from "../../core/run-record.js";
import type { ServiceConfig } from "../../config/service.js";
import { initiatingUser } from "../../history/initiator.js";
import { taskDef } from "../../task/model.js";
import { NO_MATCH_MESSAGE, selectTasks } from "../../task/select.js";
import { openService, requireSelector, selectServices } from "../../service/open.js";
import { changeSuspension, type SuspensionChange, type SuspensionResult } from "../../service/suspension.js";
import { FORMAT_OPTION, type CliCommand, type ParsedArgs } from "../command.js";
import { formatLocalTime } from "../render.js";
import { selectorArg } from "./run.js";

/**
 * `suspend` and `resume`: a task's schedule paused and resumed. When a daemon runs, it is
 * asked on its socket (the change is at once in its scheduler; root on the socket is admin);
 * otherwise the state file and the history record are written here, by the same code
 * (service/suspension.ts), and a daemon started later reads the file.
 */
const OPTIONS = {
  rid: { type: "string", describe: "Comma list of rids (task#0), globs (task#*), driver groups (task) or types (task.host)", requiresArg: true },
  tags: { type: "string", describe: "Tag expression: ',' is OR, '+' is AND and binds tighter", requiresArg: true },
  reason: { type: "string", describe: "Why, recorded in the history and shown by print schedule (one line, at most 500 characters)", requiresArg: true },
  format: { ...FORMAT_OPTION, describe: "Output format: json prints each task's service, rid, whether it changed, and its suspension (by, at, reason) or null" },
} as const;

/** How long the CLI waits for the daemon's answer. */
const DAEMON_TIMEOUT_MS = 10_000;

export const suspendCommand: CliCommand = {
  words: ["suspend"],
  describe: "Suspend the selected tasks' schedules: the daemon records each of their slots as skipped (reason suspended) instead of running it, until resume; manual runs still work. Persisted; already suspended tasks are left as they are",
  needsService: true,
  options: OPTIONS,
  examples: [
    ["svcmgr -s db suspend --rid task#0 --reason 'disk swap'", "pause one task's schedule"],
    ["svcmgr -s db suspend --rid 'task#*'", "pause every task of the service"],
  ],
  run: (args, app) => changeSelected(args, app, true),
};

export const resumeCommand: CliCommand = {
  words: ["resume"],
  describe: "Resume the selected tasks' schedules from their next slot (the slots skipped while suspended are not run); tasks not suspended are left as they are",
  needsService: true,
  options: OPTIONS,
  examples: [["svcmgr -s db resume --rid task#0", "resume one task's schedule"]],
  run: (args, app) => changeSelected(args, app, false),
};

interface Outcome extends SuspensionResult {
  readonly service: string;
  readonly rid: string;
}

async function changeSelected(args: ParsedArgs, app: App, suspend: boolean): Promise<number> {
  const rid = selectorArg(args.rid);
  const tags = selectorArg(args.tags);
  if (rid === undefined && tags === undefined) throw new UsageError(`${suspend ? "suspend" : "resume"}: name the tasks with --rid (task#0, 'task#*' for all) or --tags`);
  const reason = typeof args.reason === "string" ? args.reason : null;
  const bad = reason === null ? null : badSuspendReason(reason);
  if (bad !== null) throw new UsageError(`--reason: ${bad}`);
  const by = initiatingUser(app.env, app.users.user(String(app.uid))?.name ?? String(app.uid));
  const change: SuspensionChange = { suspend, by, reason, trigger: "manual" };
  const outcomes: Outcome[] = [];
  let history: HistoryStore | null = null;
  try {
    for (const path of selectServices(app, requireSelector(args.service))) {
      const { config, warnings } = await openService(app, path);
      for (const w of warnings) app.stderr.write(formatAlert(w) + "\n");
      const selected = selectTasks(config.rids("task").map((r) => taskDef(config, r)), { rid, tags });
      if (selected.length === 0) throw new ActionError(`${config.name}: ${NO_MATCH_MESSAGE}`);
      for (const t of selected) {
        if (app.daemon.running() !== null) outcomes.push({ service: config.name, rid: t.rid, ...(await viaDaemon(app, config.name, t.rid, change)) });
        else outcomes.push({ service: config.name, rid: t.rid, ...(await direct(app, config, t.rid, change, (history ??= await openHistory(app)))) });
      }
    }
  } finally {
    await history?.close();
  }
  if (args.format === "json") app.stdout.write(JSON.stringify(outcomes.map((o) => ({ ...o, suspended: suspensionView(o.suspended) })), null, 2) + "\n");
  else for (const o of outcomes) app.stdout.write(`${o.service} ${o.rid}: ${outcomeText(o, suspend, app.timezone)}\n`);
  return 0;
}

async function openHistory(app: App): Promise<HistoryStore> {
  app.services.prepareStateDirs();
  return app.history.open();
}

/** No daemon runs: the state file and the record are written here. A daemon that started meanwhile is told. */
async function direct(app: App, config: ServiceConfig, rid: string, change: SuspensionChange, history: HistoryStore): Promise<SuspensionResult> {
  const deps = { file: app.services.suspensions(config), record: (run: CompleteRun) => history.record(run), now: app.clock.now(), node: app.nodename };
  const r = await changeSuspension(deps, config.name, rid, change);
  if (app.daemon.running() !== null) await viaDaemon(app, config.name, rid, change).catch(() => undefined);
  return r;
}

async function viaDaemon(app: App, svc: string, rid: string, change: SuspensionChange): Promise<SuspensionResult> {
  const path = `/api/v1/services/${encodeURIComponent(svc)}/tasks/${encodeURIComponent(rid)}/${change.suspend ? "suspend" : "resume"}`;
  const body = { by: change.by, ...(change.reason === null ? {} : { reason: change.reason }) };
  const answer = await app.daemon.call({ method: "POST", path, body, timeoutMs: DAEMON_TIMEOUT_MS });
  if (!answer.ok) throw new ActionError(`the daemon runs but does not answer on ${app.daemon.socket} (${answer.reason}): ${svc} ${rid} was not changed`);
  const got = answer.body as { detail?: string; changed?: boolean; suspended?: { by: string; at: string; reason: string | null } | null };
  if (answer.status === 401 || answer.status === 403) throw new PermissionError(`the daemon refused (${answer.status}): ${got.detail ?? ""}; run as root`);
  if (answer.status !== 200) throw new ActionError(`the daemon refused to ${change.suspend ? "suspend" : "resume"} ${svc} ${rid} (HTTP ${answer.status}): ${got.detail ?? ""}`);
  const s = got.suspended ?? null;
  return { changed: got.changed === true, suspended: s === null ? null : { by: s.by, at: Date.parse(s.at), reason: s.reason } };
}

function outcomeText(o: Outcome, suspend: boolean, zone: string): string {
  const s = o.suspended;
  if (s === null) return suspend ? "not suspended" : o.changed ? "resumed: runs on schedule from its next slot" : "not suspended";
  const text = `by ${s.by} since ${formatLocalTime(s.at, zone)}${s.reason === null ? "" : ` (${s.reason})`}`;
  return o.changed ? `suspended ${text}` : `already suspended ${text}`;
}
