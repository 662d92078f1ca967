import { UsageError } from "../../core/errors.js";
import type { HistoryStore } from "../../core/history-store.js";
import { StoreUnreachableError } from "../../history/errors.js";
import type { App } from "../../service/app.js";
import { formatObjectPath } from "../../core/object-path.js";
import { isRunStatus, type RunRecord, type RunStatus } from "../../core/run-record.js";
import { formatDuration, parseDuration } from "../../core/duration.js";
import { requireSelector, selectServices } from "../../service/open.js";
import { FORMAT_OPTION, type CliCommand } from "../command.js";
import { formatLocalTime, renderTable, zoneHeader } from "../render.js";

export const printHistoryCommand: CliCommand = {
  words: ["print", "history"],
  describe: "List recorded runs, newest first: manual and scheduled runs, skips with their reason, missed slots",
  needsService: true,
  options: {
    rid: { type: "string", describe: "Only this task", requiresArg: true },
    status: { type: "string", describe: "Only these statuses (comma list): succeeded, failed, timed_out, skipped, missed, aborted, interrupted, running", requiresArg: true },
    since: { type: "string", describe: "Only runs started at or after this time (ISO 8601) or this long ago (2h, 7d)", requiresArg: true },
    limit: { type: "number", describe: "At most this many records", default: 50, range: [1, Number.MAX_SAFE_INTEGER] },
    format: FORMAT_OPTION,
  },
  examples: [
    ["svcmgr -s db print history --rid task#backup --limit 10", "the last ten runs of one task"],
    ["svcmgr -s db print history --status failed,timed_out --since 7d", "what went wrong this week"],
  ],
  async run(args, app) {
    const statuses = parseStatuses(args.status);
    const since = parseSince(args.since, app.clock.now());
    const history = await openSaying(app);
    try {
      const records: RunRecord[] = [];
      for (const p of selectServices(app, requireSelector(args.service))) {
        records.push(...(await history.query({ svc: formatObjectPath(p), rid: typeof args.rid === "string" ? args.rid : undefined, status: statuses, since, limit: Number(args.limit) })));
      }
      records.sort((a, b) => b.startedAt - a.startedAt || b.id - a.id);
      const shown = records.slice(0, Number(args.limit));
      const filtered = args.rid !== undefined || statuses !== undefined || since !== undefined;
      if (args.format === "json") app.stdout.write(JSON.stringify(shown, null, 2) + "\n");
      else if (shown.length === 0) app.stdout.write(filtered ? "no recorded run matches\n" : "no run recorded yet\n");
      else app.stdout.write(historyTable(shown, app.timezone));
    } finally {
      await history.close();
    }
    return 0;
  },
};

/**
 * The store, and where the records are that it does not hold yet: while the daemon cannot
 * reach a PostgreSQL store, its records wait in the spool file, said on stderr (or with the
 * error when this command cannot reach the store either).
 */
export async function openSaying(app: App): Promise<HistoryStore> {
  const spool = app.history.shared() === null ? null : app.history.spooled();
  const waiting = spool !== null && spool.records > 0 ? `${spool.records} record(s) of this node wait in the spool ${spool.file} (the daemon writes them to the store once it answers again)` : null;
  try {
    const history = await app.history.open();
    if (waiting !== null) app.stderr.write(`svcmgr: warning: ${waiting}, not shown here\n`);
    return history;
  } catch (e) {
    if (e instanceof StoreUnreachableError && waiting !== null) throw new StoreUnreachableError(`${e.message}; ${waiting}`);
    throw e;
  }
}

/** The records as a table; a NODE column when they were written by more than one node (a shared store). */
export function historyTable(records: readonly RunRecord[], zone: string): string {
  const headers = ["ID", "SERVICE", "RID", "TRIGGER", `SLOT ${zoneHeader(zone)}`, `STARTED ${zoneHeader(zone)}`, "DURATION", "STATUS", "EXIT", "REASON"];
  const rows = records.map((r) => row(r, zone));
  // Records from before nodes were recorded (node null) do not count as another node.
  if (new Set(records.flatMap((r) => (r.node === null ? [] : [r.node]))).size <= 1) return renderTable(headers, rows);
  return renderTable(["ID", "NODE", ...headers.slice(1)], rows.map((cells, i) => [cells[0]!, records[i]!.node ?? "-", ...cells.slice(1)]));
}

/** Times in the host's zone, as in print schedule and print status. */
function row(r: RunRecord, zone: string): string[] {
  return [String(r.id), r.svc, r.rid, r.trigger, r.scheduledFor === null ? "-" : formatLocalTime(r.scheduledFor, zone) + (r.attempt > 1 ? ` #${r.attempt}` : ""), formatLocalTime(r.startedAt, zone), r.durationMs === null ? "-" : formatDuration(r.durationMs), r.status, r.exitCode === null ? (r.signal ?? "-") : String(r.exitCode), r.reason ?? ""];
}

export function parseStatuses(v: unknown): RunStatus[] | undefined {
  if (typeof v !== "string") return undefined;
  const list = v.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const bad = list.filter((s) => !isRunStatus(s));
  if (bad.length > 0) throw new UsageError(`--status ${bad.join(",")}: expected succeeded, failed, timed_out, skipped, missed, aborted, interrupted or running`);
  return list as RunStatus[];
}

function parseSince(v: unknown, now: number): number | undefined {
  if (typeof v !== "string") return undefined;
  const ago = parseDuration(v, "s");
  if (ago !== null && !/^\d{4}-/.test(v)) return now - ago;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new UsageError(`--since ${v}: expected an ISO 8601 time (2026-11-01T00:00Z) or a duration (2h, 7d)`);
  return t;
}
