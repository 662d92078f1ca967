/**
 * The reverse of aps-cron.ts: svcmgr's cron in APScheduler 3's dialect. Weekdays are written as
 * names (mon…sun), which both read alike, so no numbering can be mistaken; croner's `+` (AND)
 * is APScheduler's own rule and is dropped. Not expressible: a cron that restricts both the day
 * of month and the day of week without `+` (cron's OR), and L, W, #, ?.
 */
const NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
const APS_ORDER = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

export function toApsCron(schedule: string): { cron: string } | { error: string } {
  const s = schedule.trim();
  const macro = MACROS[s.toLowerCase()];
  if (macro !== undefined) return { cron: macro };
  const fields = s.split(/\s+/);
  if (s.startsWith("[") || s.startsWith("!") || fields.length < 5 || fields.length > 7) return { error: `schedule "${s}" is not cron (Supertask knows only cron)` };
  if (fields.some((f) => /[#?]/.test(f) || /(^|[\d,\-\/])(L|W)/.test(f))) return { error: `cron "${s}" uses L, W, # or ?, which Supertask does not read alike` };
  const dom = fields.length === 5 ? 2 : 3;
  const dowAt = fields.length === 5 ? 4 : 5;
  let dow = fields[dowAt]!;
  const and = dow.startsWith("+");
  if (and) dow = dow.slice(1);
  if (!and && dow !== "*" && fields[dom] !== "*") return { error: `cron "${s}" runs on the day of month OR the day of week, and APScheduler only on both` };
  const days = dow === "*" ? null : weekdays(dow);
  if (days === null && dow !== "*") return { error: `cron "${s}": weekday field "${dow}" not understood` };
  fields[dowAt] = days === null ? "*" : APS_ORDER.filter((d) => days.has(d)).join(",");
  return { cron: fields.join(" ") };
}

const MACROS: Record<string, string> = {
  "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * sun",
  "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
};

/** The weekdays a cron weekday field matches (0 and 7 = Sunday), or null when it is not understood. */
function weekdays(field: string): Set<string> | null {
  const days = new Set<string>();
  const num = (t: string): number | null => {
    const i = NAMES.indexOf(t.toLowerCase());
    if (i >= 0) return i;
    return /^\d+$/.test(t) && Number(t) <= 7 ? Number(t) : null;
  };
  for (const item of field.split(",")) {
    const [range, stepText] = item.split("/") as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    let lo: number | null, hi: number | null;
    if (range === "*") [lo, hi] = [0, 7];
    else if (range.includes("-")) [lo, hi] = range.split("-").map(num) as [number | null, number | null];
    else [lo, hi] = [num(range), stepText === undefined ? num(range) : 7];
    if (lo === null || hi === null || !(step >= 1) || lo > hi) return null;
    for (let d = lo; d <= hi; d += step) days.add(NAMES[d % 7]!);
  }
  return days;
}
