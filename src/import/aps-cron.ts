/**
 * Supertask passes its cron fields to APScheduler 3, whose dialect differs from cron's (and
 * svcmgr's) in two ways that would silently move runs if the expression were kept as written:
 * - a numeric day of week counts from Monday (0 = Monday … 6 = Sunday), not from Sunday;
 * - when both the day of month and the day of week are restricted, both must match (AND),
 *   where cron runs on either (OR).
 * The translation renumbers weekdays (n → n+1, so 6 = Sunday becomes 7, which svcmgr also reads
 * as Sunday, and ranges never wrap) and marks the weekday field with croner's `+` (AND).
 * Names (mon-fri), `*` and every other field are kept as written.
 */

export interface ApsCron {
  /** The expression for svcmgr. */
  readonly cron: string;
  /** Set when it differs from the one written: says why. */
  readonly translated?: string;
}

/** Field positions: 5 fields = minute first; 6 = seconds first; 7 = seconds first, year last. */
function positions(count: number): { dom: number; dow: number } {
  return count === 5 ? { dom: 2, dow: 4 } : { dom: 3, dow: 5 };
}

const WILD = /^[*?]$/;

/** Throws an Error with the reason when a weekday number is outside APScheduler's 0-6. */
function renumberWeekdays(field: string): string {
  return field
    .split(",")
    .map((item) => {
      const [range, step] = item.split("/") as [string, string | undefined];
      const shifted = range === "*" ? (step === undefined ? "*" : "1-7") : range.replace(/\d+/g, (d) => {
        const n = Number(d);
        if (n > 6) throw new Error(`day of week ${d} is out of APScheduler's range 0-6 (0 = Monday)`);
        return String(n + 1);
      });
      return step === undefined ? shifted : `${shifted}/${step}`;
    })
    .join(",");
}

/** An APScheduler cron expression of 5, 6 or 7 fields in svcmgr's dialect; throws with the reason when it has another count. */
export function fromApsCron(expression: string): ApsCron {
  const fields = expression.trim().split(/\s+/);
  if (fields.length < 5 || fields.length > 7) {
    throw new Error(`"${expression}" has ${fields.length} field(s): Supertask takes 5 (minute first), 6 (seconds first) or 7 (seconds first, year last)`);
  }
  const { dom, dow } = positions(fields.length);
  const reasons: string[] = [];
  const weekday = fields[dow]!;
  if (/\d/.test(weekday) || /^\*\/\d+$/.test(weekday)) {
    fields[dow] = renumberWeekdays(weekday);
    if (fields[dow] !== weekday) reasons.push("weekday numbers count from Monday = 0 in APScheduler, from Sunday = 0 here");
  }
  if (!WILD.test(fields[dom]!) && !WILD.test(fields[dow]!)) {
    fields[dow] = `+${fields[dow]}`;
    reasons.push("APScheduler runs when both the day of month and the day of week match (`+` says AND here)");
  }
  const cron = fields.join(" ");
  return reasons.length === 0 ? { cron: expression.trim() } : { cron, translated: `APScheduler's "${expression.trim()}" is "${cron}" here: ${reasons.join("; ")}` };
}
