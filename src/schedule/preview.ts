import { DAY_MS, isoWeekday } from "./calendar.js";
import { formatInZone, formatUtc } from "./iso.js";
import type { CheckResult, DstNote, PlannedRun, ScheduleKind } from "./types.js";
import type { Zone } from "./zone.js";

/**
 * Pure rendering of schedule previews for `svcmgr schedule next|check` (text for people, JSON
 * with stable camelCase fields for tools). Instants are shown with their offset in the
 * schedule's zone; JSON adds the UTC form.
 */
export interface PreviewHeader {
  readonly expression: string;
  readonly kind: ScheduleKind;
  readonly zone: Zone;
  readonly now: number;
  readonly last: number | null;
}

const WEEKDAY = ["", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

export const DST_TEXT: Readonly<Record<DstNote, string>> = {
  "gap-moved": "DST: its time does not exist that day; runs right after the gap",
  "gap-coalesced": "DST: several of its times fall in the gap; this one run stands for them",
  "overlap-first": "DST: its time happens twice that day; runs on the first pass only",
};

function headerJson(h: PreviewHeader): Record<string, unknown> {
  return {
    expression: h.expression,
    kind: h.kind,
    timezone: h.zone.name,
    now: formatInZone(h.now, h.zone),
    last: h.last === null ? null : formatInZone(h.last, h.zone),
  };
}

function headerText(h: PreviewHeader): string[] {
  return [
    `schedule  ${h.expression}  (${h.kind}, ${h.zone.name})`,
    `now       ${formatInZone(h.now, h.zone)}`,
    `last      ${h.last === null ? "-" : formatInZone(h.last, h.zone)}`,
  ];
}

export function renderNext(h: PreviewHeader, runs: readonly PlannedRun[], format: "text" | "json"): string {
  if (format === "json") {
    const list = runs.map((r) => ({ at: formatInZone(r.at.getTime(), h.zone), atUtc: formatUtc(r.at.getTime()), dst: r.dst ?? null }));
    return JSON.stringify({ ...headerJson(h), runs: list }, null, 2) + "\n";
  }
  const lines = headerText(h);
  if (runs.length === 0) lines.push(h.kind === "none" ? "no schedule: it never runs" : "no run ahead: the expression can never match");
  runs.forEach((r, i) => lines.push(runLine(h.zone, r, i + 1, String(runs.length).length)));
  return lines.join("\n") + "\n";
}

function runLine(zone: Zone, r: PlannedRun, n: number, width: number): string {
  const t = r.at.getTime();
  const day = WEEKDAY[isoWeekday(Math.floor(zone.wallOf(t) / DAY_MS))];
  const note = r.dst === undefined ? "" : `  ${DST_TEXT[r.dst]}`;
  return `${String(n).padStart(width)}  ${formatInZone(t, zone)}  ${day}${note}`;
}

export function renderCheck(h: PreviewHeader, result: CheckResult, format: "text" | "json"): string {
  if (format === "json") {
    return JSON.stringify({ ...headerJson(h), allowed: result.allowed, reason: result.reason ?? null, delayMs: result.delayMs ?? null }, null, 2) + "\n";
  }
  const verdict = result.allowed
    ? `allowed${result.delayMs ? ` (this task's spread start is ${Math.round(result.delayMs / 1000)}s later in the window)` : ""}`
    : `not allowed: ${result.reason ?? "no reason given"}`;
  return [...headerText(h), verdict].join("\n") + "\n";
}
