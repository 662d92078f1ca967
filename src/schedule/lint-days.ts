import type { Element } from "./ast.js";
import { formatTimeOfDay } from "./calendar.js";
import { WEEKDAYS, parseCalendarList } from "./fields.js";
import type { ScheduleWarning } from "./types.js";

/**
 * The `<dow>:<dom>` trap: OpenSVC reads `fri:last` as "a Friday that is also the last day of
 * the month" (weekday AND day of month, design §6), while the old docs promised "the last
 * Friday". Warn and point to the cron form that says what was probably meant.
 */
const DAY_NAMES = ["", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const ORDINALS: Readonly<Record<string, number>> = {
  first: 1, "1st": 1, "1": 1, "+1": 1, second: 2, "2nd": 2, "2": 2, "+2": 2, third: 3, "3rd": 3, "3": 3, "+3": 3,
  fourth: 4, "4th": 4, "4": 4, "+4": 4, fifth: 5, "5th": 5, "5": 5, "+5": 5, last: -1, "-1": -1,
};
const NTH = ["", "first", "second", "third", "fourth", "fifth"];
const DOM_TEXT = ["", "1st", "2nd", "3rd", "4th", "5th"];

export function dayTrapWarnings(el: Element): ScheduleWarning[] {
  const fields = el.text.trim().replace(/^!\s*/, "").split(/\s+/);
  const days = fields[1];
  if (days === undefined) return [];
  const out: ScheduleWarning[] = [];
  for (const item of days.split(",")) {
    const [dow, dom] = item.split(":");
    if (dom === undefined || dow === "" || dow === "*") continue;
    const n = ORDINALS[dom.toLowerCase()];
    if (n === undefined) continue;
    out.push({ message: trapMessage(item, parseCalendarList(dow!, WEEKDAYS), n, cronTime(el)) });
  }
  return out;
}

function trapMessage(item: string, weekdays: number[], n: number, time: string): string {
  const who = weekdays.length === 1 ? `a ${DAY_NAMES[weekdays[0]!]}` : `a day among ${weekdays.map((w) => DAY_NAMES[w]).join(", ")}`;
  const dom = n === -1 ? "the last day of the month" : `the ${DOM_TEXT[n]} of the month`;
  const head = `"${item}" means "${who} that is also ${dom}" (weekday AND day of month)`;
  if (weekdays.length !== 1) return `${head}, not "the ${n === -1 ? "last" : NTH[n]} such weekday of the month"`;
  const name = DAY_NAMES[weekdays[0]!];
  const cronDow = weekdays[0]! % 7;
  const nth = n === -1 ? "last" : NTH[n];
  const field = n === -1 ? `${cronDow}L` : `${cronDow}#${n}`;
  return `${head}, not "the ${nth} ${name} of the month"; for the ${nth} ${name}, use the cron schedule "${time} * * ${field}"`;
}

/** "M H" of the element's first window start, for the cron suggestion. */
function cronTime(el: Element): string {
  const begin = el.ranges[0]?.begin ?? 0;
  const [h, m] = formatTimeOfDay(begin).split(":").map(Number);
  return `${m} ${h}`;
}
