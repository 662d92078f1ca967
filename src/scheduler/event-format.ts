/**
 * One daemon log line per decision: `<kind> <svc> <rid> slot=<iso> key=value...`.
 * Stable field order so lines can be grepped and compared.
 */
import type { DaemonEvent } from "./events.js";
import { suspendedText } from "../core/suspension.js";

const iso = (d: Date | null): string => (d === null ? "none" : d.toISOString());
const quote = (s: string): string => JSON.stringify(s);

function taskPart(svc: string, rid: string): string {
  return rid === "" ? svc : `${svc} ${rid}`;
}

function detailOf(e: DaemonEvent): string {
  switch (e.kind) {
    case "planned":
      return `next=${iso(e.slot)}`;
    case "queued":
      return `slot=${iso(e.slot)} waiting=${e.waiting}${e.catchup ? " catchup" : ""}`;
    case "started":
      return `slot=${iso(e.slot)}${e.catchup ? " catchup" : ""}${e.attempt !== undefined && e.attempt > 1 ? ` attempt=${e.attempt}` : ""}`;
    case "retry-planned":
      return `slot=${iso(e.slot)} attempt=${e.attempt} at=${iso(e.at)} detail=${quote(e.detail)}`;
    case "finished": {
      const r = e.run.record;
      if (r === undefined) return `slot=${iso(e.slot)} reason=${quote(e.run.reason ?? e.run.status)}`;
      const end = r.exitCode !== null ? ` exit=${r.exitCode}` : r.signal !== null ? ` signal=${r.signal}` : "";
      return `slot=${iso(e.slot)} status=${r.status}${end} run=${r.id}${r.attempt > 1 ? ` attempt=${r.attempt}` : ""}`;
    }
    case "skipped":
      return `slot=${iso(e.slot)} reason=${e.reason} detail=${quote(e.detail)}`;
    case "missed":
      return `slot=${iso(e.slot)} reason=${e.reason}${e.count > 1 ? ` count=${e.count}` : ""} detail=${quote(e.detail)}`;
    case "interrupted":
      return `slot=${iso(e.slot)} detail=${quote(e.detail)}`;
    case "distrusted-last":
      return e.kept
        ? `stored=${iso(e.stored)} now=${iso(e.now)} (in the future by 3 h or less: kept, no slot at or before it runs again)`
        : `stored=${iso(e.stored)} now=${iso(e.now)} (more than 3 h in the future: counts as now, planning from now)`;
    case "clock-step":
      if (e.policy === "wait") return `wait last=${iso(e.last)} (fixed-time: its slots up to the last one are not run again)`;
      if (e.policy === "reset") return `reset last=${iso(e.last)} baseline=${iso(e.baseline)} (fixed-time, last run more than 3 h ahead: counts as now)`;
      return `keep-pace last=${iso(e.last)} baseline=${iso(e.baseline)} (interval or wildcard: next slots in real time)`;
    case "not-scheduled":
      return `reason=${e.reason} detail=${quote(e.detail)}`;
    case "suspended":
      return `detail=${quote(suspendedText(e.suspension))}`;
    case "resumed":
      return `next=${iso(e.next)}`;
    default:
      return "";
  }
}

export function formatDaemonEvent(e: DaemonEvent): string {
  switch (e.kind) {
    case "clock-jump":
      return `clock-jump ${e.jump.kind} delta=${e.jump.deltaMs}ms expected=${iso(e.expected)} observed=${iso(e.observed)}`;
    case "reloaded":
      return `reloaded ${e.svc} added=${e.added} changed=${e.changed} removed=${e.removed} unchanged=${e.unchanged}`;
    case "port-error":
      return `port-error ${e.port} ${e.key} detail=${quote(e.detail)}`;
    case "finished":
      // A slot that never ran (no run record) is logged as such.
      if (e.run.record === undefined) return `not-run ${taskPart(e.svc, e.rid)} ${detailOf(e)}`;
      return `${e.kind} ${taskPart(e.svc, e.rid)} ${detailOf(e)}`;
    default:
      return `${e.kind} ${taskPart(e.svc, e.rid)} ${detailOf(e)}`;
  }
}
