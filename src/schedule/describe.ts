/**
 * A schedule in plain words, for people reading a page (`0 2 * * *` → "at 02:00 every day").
 * Covers the common shapes of both syntaxes; anything else gives null, and the caller shows
 * the next run times instead. Never used to decide when a task runs.
 */
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];
const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const UNITS: Readonly<Record<string, string>> = { s: "second", m: "minute", h: "hour", d: "day", w: "week" };

export function describeSchedule(expr: string): string | null {
  const text = expr.trim();
  if (text === "" || text === "@0") return null;
  const every = /^@(\d+)([smhdw]?)$/.exec(text);
  if (every !== null) return interval(Number(every[1]), every[2] === "" ? "m" : every[2]!);
  const macro = MACROS[text];
  if (macro !== undefined) return macro;
  const fields = text.split(/\s+/);
  if (fields.length === 5 && fields.every((f) => /^[\d*/,\-A-Za-z]+$/.test(f))) return cron(fields as [string, string, string, string, string]);
  if (/^(\d{1,2}:\d{2}(-\d{1,2}:\d{2})?)(@\d+[smh]?)?$/.test(text)) return opensvcTime(text);
  return null;
}

const MACROS: Readonly<Record<string, string>> = {
  "@hourly": "every hour, on the hour", "@daily": "at 00:00 every day", "@midnight": "at 00:00 every day",
  "@weekly": "at 00:00 every Sunday", "@monthly": "at 00:00 on the 1st of every month", "@yearly": "at 00:00 on January 1st", "@annually": "at 00:00 on January 1st",
};

function interval(n: number, unit: string): string {
  const name = UNITS[unit]!;
  return n === 1 ? `every ${name}` : `every ${n} ${name}s`;
}

function pad(n: string): string {
  return n.padStart(2, "0");
}

function cron([min, hour, dom, mon, dow]: [string, string, string, string, string]): string | null {
  let when: string;
  if (/^\d+$/.test(min) && /^\d+$/.test(hour)) when = `at ${pad(hour)}:${pad(min)}`;
  else if (/^\d+$/.test(min) && hour === "*") when = min === "0" ? "every hour, on the hour" : `every hour at minute ${Number(min)}`;
  else if (/^\*\/\d+$/.test(min) && hour === "*") when = interval(Number(min.slice(2)), "m");
  else if (min === "*" && hour === "*") when = "every minute";
  else if (/^\d+$/.test(min) && /^\*\/\d+$/.test(hour)) when = `every ${hour.slice(2)} hours at minute ${Number(min)}`;
  else if (/^\d+$/.test(min) && /^\d+(,\d+)+$/.test(hour)) when = `at ${hour.split(",").map((h) => `${pad(h)}:${pad(min)}`).join(", ")}`;
  else return null;
  const days = dayPart(dom, mon, dow);
  if (days === null) return null;
  return days === " every day" && when.startsWith("every") ? when : `${when}${days}`;
}

function dayPart(dom: string, mon: string, dow: string): string | null {
  const months = mon === "*" ? "" : listOf(mon, (m) => MONTHS[Number(m) - 1]);
  if (months === null) return null;
  const inMonths = months === "" ? "" : ` in ${months}`;
  if (dom === "*" && dow === "*") return inMonths === "" ? " every day" : ` every day${inMonths}`;
  if (dom === "*" && dow !== "*") {
    if (dow === "1-5") return ` on weekdays${inMonths}`;
    const days = listOf(dow, (d) => DAYS[Number(d) % 7]);
    return days === null ? null : ` every ${days}${inMonths}`;
  }
  if (dow === "*" && /^\d+(,\d+)*$/.test(dom)) return ` on day ${dom.split(",").join(", ")} of ${months === "" ? "every month" : months}`;
  return null;
}

function listOf(field: string, name: (v: string) => string | undefined): string | null {
  if (!/^\d+(,\d+)*$/.test(field)) return null;
  const names = field.split(",").map(name);
  return names.some((n) => n === undefined) ? null : names.join(", ");
}

function opensvcTime(text: string): string {
  const [range, step] = text.split("@") as [string, string | undefined];
  const [from, to] = range.split("-");
  const stepText = step === undefined ? "" : interval(Number(step.replace(/[smh]$/, "")), /[smh]$/.test(step) ? step.slice(-1) : "m");
  if (to === undefined) return `at ${from} every day`;
  return step === undefined ? `once between ${from} and ${to} every day` : `${stepText} between ${from} and ${to} every day`;
}
