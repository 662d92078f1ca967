import type { Element, Program } from "./ast.js";
import { DAY_MS, formatTimeOfDay } from "./calendar.js";
import { dayVerdict, excludedBy, inRange } from "./opensvc-match.js";

/**
 * Why an OpenSVC schedule refuses a time (the om3 reasons, in om3's order: months, weeks,
 * days, time ranges, interval), for `check()` and the CLI. Pure text; the decision itself is
 * made by the search, so both always agree.
 */
export interface RefusalInput {
  readonly program: Program;
  readonly wall: number;
  readonly now: number;
  readonly last: number | null;
  readonly lastWall: number;
}

export function refusalReason(input: RefusalInput): string | null {
  const { program, wall } = input;
  if (program.includes.length === 0) return "no schedule";
  const reasons = program.includes.map((el) => elementRefusal(el, input));
  if (reasons.some((r) => r === null)) {
    const x = excludedBy(program.excludes, wall);
    return x === null ? null : `excluded by ${JSON.stringify(x.text.trim())}`;
  }
  return [...new Set(reasons)].join("; ");
}

const VERDICT_TEXT = { month: "not in allowed months", week: "not in allowed weeks", day: "not in allowed days" } as const;

function elementRefusal(el: Element, input: RefusalInput): string | null {
  const day = Math.floor(input.wall / DAY_MS);
  const verdict = dayVerdict(el, day);
  if (verdict !== "ok") return VERDICT_TEXT[verdict];
  const tod = input.wall - day * DAY_MS;
  const inside = el.ranges.filter((r) => inRange(r, tod));
  if (inside.length === 0) return el.ranges.map((r) => `not in timerange ${formatTimeOfDay(r.begin)}-${formatTimeOfDay(r.end)}`).join(", ");
  if (input.last === null) return null;
  const ok = inside.some((r) => (r.fixed ? input.wall - input.lastWall : input.now - input.last!) >= r.interval);
  return ok ? null : "the last run is too soon";
}
