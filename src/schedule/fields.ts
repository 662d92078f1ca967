import { ALL_MONTHS, ALL_WEEKDAYS, type DayRule } from "./ast.js";
import { PartError, fail } from "./errors.js";

/**
 * The calendar fields of an OpenSVC element (spec §4.1): days, ISO weeks, months.
 * Each name table is specific to its field (a month name is not a weekday).
 * Ranges may wrap (sun-tue, nov-feb, 50-2). Out-of-range values are errors: they could never match.
 */

const WEEKDAY_NAMES: Readonly<Record<string, number>> = {
  mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7,
  monday: 1, tuesday: 2, wednesday: 3, thursday: 4, friday: 5, saturday: 6, sunday: 7,
};

const MONTH_NAMES: Readonly<Record<string, number>> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
  january: 1, february: 2, march: 3, april: 4, june: 6, july: 7, august: 8, september: 9,
  october: 10, november: 11, december: 12,
};

const MONTHDAY_NAMES: Readonly<Record<string, number>> = {
  first: 1, "1st": 1, second: 2, "2nd": 2, third: 3, "3rd": 3, fourth: 4, "4th": 4, fifth: 5, "5th": 5, last: -1,
};

interface Scale {
  readonly what: string;
  /** The field's name in messages. */
  readonly field: string;
  readonly max: number;
  readonly names: Readonly<Record<string, number>> | null;
  readonly hint: string;
}

export const WEEKDAYS: Scale = { what: "weekday", field: "days", max: 7, names: WEEKDAY_NAMES, hint: "1-7 or mon..sun" };
export const MONTHS: Scale = { what: "month", field: "months", max: 12, names: MONTH_NAMES, hint: "1-12 or jan..dec" };
export const WEEKS: Scale = { what: "ISO week", field: "weeks", max: 53, names: null, hint: "1-53" };

/** A name that belongs to another field: "jan is a month", "mon is a weekday". */
function otherFieldName(lower: string, scale: Scale): string | null {
  if (scale !== MONTHS && MONTH_NAMES[lower] !== undefined) return "a month";
  if (scale !== WEEKDAYS && WEEKDAY_NAMES[lower] !== undefined) return "a weekday";
  if (MONTHDAY_NAMES[lower] !== undefined) return "a day of month (write it after a colon in the days field, e.g. *:last)";
  return null;
}

function resolve(text: string, scale: Scale): number {
  const lower = text.toLowerCase();
  const named = scale.names?.[lower];
  if (named !== undefined) return named;
  if (!/^\d+$/.test(text)) {
    const other = otherFieldName(lower, scale);
    if (other !== null) fail(`"${text}" is ${other}, not ${article(scale.what)} (expected ${scale.hint})`);
    fail(`unknown ${scale.what} "${text}" (expected ${scale.hint})`);
  }
  const n = Number(text);
  if (n < 1 || n > scale.max) fail(`${scale.what} ${text} out of range (${scale.hint})`);
  return n;
}

function article(what: string): string {
  return /^[aeiouI]/.test(what) ? `an ${what}` : `a ${what}`;
}

/** Runs a field's parser; its messages name the field and quote it. */
export function inField<T>(field: string, spec: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof PartError) fail(`${e.message} in ${field} ${JSON.stringify(spec)}`);
    throw e;
  }
}

/** "", from a comma with nothing on one side: 2.1 reads it as "all", which is never what was meant. */
export function strayComma(): never {
  return fail(`stray comma (an empty item; remove the comma)`);
}

/** "a", "a-b" (wrapping when a > b) → sorted values. */
function parseItem(item: string, scale: Scale): number[] {
  if (item === "") strayComma();
  if (/^-\d/.test(item)) fail(`"${item}" is negative (expected ${scale.hint})`);
  const parts = item.split("-");
  if (parts.length > 2) fail(`only one "-" allowed in ${scale.what} range "${item}"`);
  const a = resolve(parts[0]!, scale);
  const b = parts.length === 2 ? resolve(parts[1]!, scale) : a;
  const out: number[] = [];
  if (a <= b) for (let i = a; i <= b; i++) out.push(i);
  else {
    for (let i = 1; i <= b; i++) out.push(i);
    for (let i = a; i <= scale.max; i++) out.push(i);
  }
  return out;
}

/** Comma list of items; "*" or "" = every value. Returns sorted unique values. */
export function parseCalendarList(spec: string, scale: Scale): number[] {
  if (spec === "*" || spec === "") return Array.from({ length: scale.max }, (_, i) => i + 1);
  const set = new Set<number>();
  for (const item of spec.split(",")) for (const v of parseItem(item, scale)) set.add(v);
  return [...set].sort((x, y) => x - y);
}

/** "m" or "m+s": keep v where (v + s) % m == 0. */
export function filterWithModulo(values: readonly number[], spec: string): number[] {
  const parts = spec.split("+");
  if (parts.length > 2) fail(`only one "+" allowed in modulo "%${spec}"`);
  if (parts[0]!.startsWith("-")) fail(`modulo "%${spec}" is negative`);
  if (!/^\d+$/.test(parts[0]!)) fail(`modulo "%${spec}" must be a whole number`);
  const modulo = Number(parts[0]);
  if (modulo === 0) fail(`modulo "%${spec}" cannot be 0`);
  const shiftText = parts[1] ?? "0";
  if (shiftText.startsWith("-")) fail(`modulo shift in "%${spec}" is negative`);
  if (!/^\d+$/.test(shiftText)) fail(`modulo shift in "%${spec}" must be a whole number`);
  const shift = Number(shiftText);
  return values.filter((v) => (v + shift) % modulo === 0);
}

/** Months field → bitmask. Split on "," first, so each item has its own optional %modulo. */
export function parseMonths(spec: string): number {
  if (spec === "*") return ALL_MONTHS;
  return inField("months", spec, () => {
    let mask = 0;
    for (const item of spec.split(",")) {
      if (item === "") strayComma();
      const parts = item.split("%");
      if (parts.length > 2) fail(`too many "%" in "${item}"`);
      let values = parseCalendarList(parts[0]!, MONTHS);
      if (parts.length === 2) values = filterWithModulo(values, parts[1]!);
      for (const v of values) mask |= 1 << v;
    }
    return mask;
  });
}

/** ISO weeks field → allowed table indexed 1..53, or null for all weeks. */
export function parseWeeks(spec: string): boolean[] | null {
  if (spec === "*") return null;
  if (spec.includes("%")) fail(`modulo is not supported on weeks ("${spec}")`);
  return inField("weeks", spec, () => {
    const table = new Array<boolean>(54).fill(false);
    for (const w of parseCalendarList(spec, WEEKS)) table[w] = true;
    return table;
  });
}

export interface DaysField {
  readonly anyDayWeekdays: number;
  readonly dayRules: DayRule[];
}

/** Days field: items split on "," first, then "<weekdays>[:<monthday>]" (weekday AND monthday). */
export function parseDays(spec: string): DaysField {
  if (spec === "*") return { anyDayWeekdays: ALL_WEEKDAYS, dayRules: [] };
  let anyDayWeekdays = 0;
  const dayRules: DayRule[] = [];
  for (const item of spec.split(",")) {
    if (item === "") inField("days", spec, strayComma);
    const parts = item.split(":");
    if (parts.length > 2) fail(`only one ":" allowed in day spec "${item}"`);
    if (parts.length === 1 && /^[+-]\d+$/.test(item)) fail(`"${item}" in "${spec}" is not a weekday; each day item is "<weekdays>[:<day of month>]", so write "*:${item}"`);
    const weekdays = inField("days", spec, () => parseCalendarList(parts[0]!, WEEKDAYS));
    if (parts.length === 1) for (const w of weekdays) anyDayWeekdays |= 1 << w;
    else {
      const monthday = parseMonthday(parts[1]!, item);
      for (const w of weekdays) dayRules.push({ weekday: w, monthday });
    }
  }
  return { anyDayWeekdays, dayRules };
}

function parseMonthday(text: string, item: string): number {
  if (text === "") fail(`day of month is empty in "${item}"`);
  const named = MONTHDAY_NAMES[text.toLowerCase()];
  if (named !== undefined) return named;
  if (!/^[+-]?\d+$/.test(text)) fail(`day of month "${text}" in "${item}" is not supported (1..31, -1..-31, first..fifth, last)`);
  const n = Number(text);
  if (n === 0 || n > 31 || n < -31) fail(`day of month ${text} in "${item}" out of range (1..31, -1..-31)`);
  return n;
}
