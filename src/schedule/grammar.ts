import { ALL_MONTHS, type Element, type Program } from "./ast.js";
import { PartError, ScheduleSyntaxError, fail } from "./errors.js";
import { parseDays, parseMonths, parseWeeks } from "./fields.js";
import { parseTimeRanges } from "./timerange.js";

/**
 * OpenSVC schedule text → Program (spec §4.1 with the design §6 rulings):
 * "", "@0" and "[]" mean no schedule (an empty Program); a JSON list gives several elements;
 * a JSON string is read as the expression it contains; any invalid element invalidates the whole.
 */
export function parseOpensvc(expression: string): Program {
  try {
    const texts = elementTexts(expression);
    return toProgram(texts.map((t) => (texts.length > 1 ? inElement(t) : parseElement(t))));
  } catch (e) {
    if (e instanceof PartError) throw new ScheduleSyntaxError(expression, e.message);
    throw e;
  }
}

function inElement(text: string): Element {
  try {
    return parseElement(text);
  } catch (e) {
    if (e instanceof PartError) fail(`${e.message} (in element ${JSON.stringify(text)})`);
    throw e;
  }
}

function elementTexts(expression: string): string[] {
  const t = expression.trim();
  if (t === "" || t === "@0") return [];
  if (t.startsWith("[")) return jsonList(t);
  if (t.startsWith('"')) {
    const inner = jsonValue(t);
    if (typeof inner !== "string") fail(`not a JSON string`);
    return inner.trim() === "" || inner.trim() === "@0" ? [] : [inner];
  }
  return [t];
}

function jsonValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return fail(`looks like JSON but does not parse`);
  }
}

function jsonList(text: string): string[] {
  const v = jsonValue(text);
  if (!Array.isArray(v) || !v.every((x) => typeof x === "string")) fail(`a JSON list must hold strings only`);
  // "@0" in a list is an element that never runs, like the whole-expression "@0".
  return (v as string[]).filter((x) => x.trim() !== "@0");
}

/** `[!] timeranges [days [weeks [months]]]`. */
export function parseElement(text: string): Element {
  let body = text.trim();
  const exclude = body.startsWith("!");
  if (exclude) body = body.slice(1).trim();
  if (body === "") fail(exclude ? `"!" alone excludes nothing` : `empty element in list`);
  const fields = body.split(/\s+/);
  if (fields.length > 4) fail(`an element has 1 to 4 fields (time ranges, days, weeks, months), got ${fields.length}`);
  const days = parseDays(fields[1] ?? "*");
  return {
    text,
    exclude,
    ranges: parseTimeRanges(fields[0]!, exclude),
    months: fields[3] === undefined ? ALL_MONTHS : parseMonths(fields[3]),
    weeks: fields[2] === undefined ? null : parseWeeks(fields[2]),
    anyDayWeekdays: days.anyDayWeekdays,
    dayRules: days.dayRules,
  };
}

function toProgram(elements: Element[]): Program {
  return {
    includes: elements.filter((e) => !e.exclude),
    excludes: elements.filter((e) => e.exclude),
  };
}
