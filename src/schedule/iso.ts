import { DAY_MS, civilFromDays, daysFromCivil, formatDay } from "./calendar.js";
import type { Zone } from "./zone.js";

/**
 * ISO 8601 for instants shown in a schedule's zone, and parsing of operator-given times.
 * Output: `2025-03-30T03:00:00+02:00` (milliseconds only when not zero).
 */

export function formatOffset(offsetMs: number): string {
  const sign = offsetMs < 0 ? "-" : "+";
  const s = Math.round(Math.abs(offsetMs) / 1000);
  const hh = String(Math.floor(s / 3600)).padStart(2, "0");
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, "0");
  const ss = s % 60;
  return `${sign}${hh}:${mm}${ss === 0 ? "" : `:${String(ss).padStart(2, "0")}`}`;
}

/** Wall ms → "YYYY-MM-DDTHH:MM:SS[.mmm]". */
export function formatWall(wall: number): string {
  const day = Math.floor(wall / DAY_MS);
  const tod = wall - day * DAY_MS;
  const ms = tod % 1000;
  const s = Math.floor(tod / 1000);
  const hms = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60].map((n) => String(n).padStart(2, "0")).join(":");
  return `${formatDay(day)}T${hms}${ms === 0 ? "" : `.${String(ms).padStart(3, "0")}`}`;
}

export function formatInZone(t: number, zone: Zone): string {
  const off = zone.offsetAt(t);
  return formatWall(t + off) + formatOffset(off);
}

/** UTC form without milliseconds when they are zero: `2025-03-30T01:00:00Z`. */
export function formatUtc(t: number): string {
  return formatWall(t) + "Z";
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

export type ParsedTime =
  | { readonly kind: "instant"; readonly at: number }
  | { readonly kind: "wall"; readonly wall: number };

/** Parses ISO 8601; with an offset or Z it is an instant, else a wall time (zone decided by the caller). */
export function parseIsoTime(text: string): ParsedTime | null {
  const m = ISO.exec(text.trim());
  if (m === null) return null;
  const [y, mo, d, h, mi, s] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0)) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return null;
  const day = daysFromCivil(y, mo, d);
  if (civilFromDays(day).d !== d) return null;
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, "0"));
  const wall = day * DAY_MS + ((h * 60 + mi) * 60 + s) * 1000 + ms;
  const off = m[8];
  if (off === undefined) return { kind: "wall", wall };
  return { kind: "instant", at: wall - parseOffset(off) };
}

function parseOffset(text: string): number {
  if (text.toUpperCase() === "Z") return 0;
  const sign = text.startsWith("-") ? -1 : 1;
  const digits = text.slice(1).replace(":", "");
  const hh = Number(digits.slice(0, 2));
  const mm = Number(digits.slice(2, 4) || "0");
  return sign * (hh * 60 + mm) * 60_000;
}
