import type { TimeRange } from "./ast.js";
import { DAY_MS } from "./calendar.js";
import { fail } from "./errors.js";
import { inField, strayComma } from "./fields.js";
import { parseInterval } from "./interval.js";

/**
 * The time-ranges field of an OpenSVC element: `[~](*|T|T-T)[@interval]` items joined by ",".
 * Times are `H:MM` or `H:MM:SS`, range-checked. A single time T means [T, T+1s].
 */

const TIME = /^(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?$/;
const SECOND = 1000;
/** Probabilistic delay needs room: windows of 2 s or less never get one. */
const MIN_SPLAY_WINDOW = 2 * SECOND;
const LAST_MINUTE = DAY_MS - 60 * SECOND;

export function parseTime(text: string): number {
  const m = TIME.exec(text);
  if (m === null) fail(`time "${text}" is not HH:MM or HH:MM:SS`);
  const [h, mi, s] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  if (h > 23) fail(`time "${text}" out of range (hours 0-23)`);
  if (mi > 59) fail(`time "${text}" out of range (minutes 0-59)`);
  if (s > 59) fail(`time "${text}" out of range (seconds 0-59)`);
  return ((h * 60 + mi) * 60 + s) * SECOND;
}

interface Window {
  readonly begin: number;
  readonly end: number;
  readonly whole: boolean;
}

function parseWindow(text: string, exclude: boolean): Window {
  if (text === "" || text === "*") return { begin: 0, end: exclude ? DAY_MS : DAY_MS - 1, whole: true };
  const parts = text.split("-");
  if (parts.length > 2) fail(`too many "-" in time range "${text}"`);
  const begin = parseTime(parts[0]!);
  let end = parts.length === 2 ? parseTime(parts[1]!) : begin;
  if (end === begin) end = begin + SECOND;
  // An exclusion written up to 23:59 or 23:59:59 means "to the end of the day": it releases at
  // midnight, never at the excluded day's last minute.
  if (exclude && end >= LAST_MINUTE && begin < end) end = DAY_MS;
  return { begin, end, whole: false };
}

function parseOne(spec: string, exclude: boolean): TimeRange {
  const probabilisticAsked = spec.startsWith("~");
  // `~` alone is `~*` (2.1): once a day, at a splayed time.
  const body = spec === "~" ? "*" : probabilisticAsked ? spec.slice(1) : spec;
  const at = body.split("@");
  if (at.length > 2) fail(`only one @<interval> allowed in "${spec}"`);
  const w = parseWindow(at[0]!, exclude);
  const wraps = w.begin > w.end;
  const length = wraps ? DAY_MS - w.begin + w.end : w.end - w.begin;
  const defaultInterval = w.whole ? DAY_MS : length + SECOND;
  const interval = at.length === 2 ? parseInterval(at[1]!) : defaultInterval;
  const fixed = interval >= length;
  const probabilistic = probabilisticAsked && fixed && length > MIN_SPLAY_WINDOW;
  return { text: spec, begin: w.begin, end: w.end, wraps, length, interval, probabilistic, fixed };
}

export function parseTimeRanges(field: string, exclude: boolean): TimeRange[] {
  return field.split(",").map((spec) => (spec === "" ? inField("time ranges", field, strayComma) : parseOne(spec, exclude)));
}
