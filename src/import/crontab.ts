import type { Job } from "./job.js";
import type { Problems } from "./problems.js";
import { stdinCommand, splitPercent } from "./crontab-command.js";
import { jobId } from "./job-id.js";

/**
 * A user crontab (crontab(5), the text `crontab -l` prints): job lines `m h dom mon dow
 * command` or `@macro command`, environment lines `NAME = value` that apply to the job lines
 * after them, `#` comments. What svcmgr does with each part:
 * - the schedule is kept as written (svcmgr reads cron as Vixie cron does: 0 and 7 = Sunday,
 *   day of month OR day of week); `@reboot` has no equivalent and is refused;
 * - `CRON_TZ` becomes the task's timezone; `SHELL` other than /bin/sh runs the command through
 *   that shell; other variables go to the task's environment;
 * - `%` in a command: what follows the first one is the command's standard input, each further
 *   `%` a newline (`\%` is a literal %), given through printf;
 * - `MAILTO`/`MAILFROM` (svcmgr sends no mail) and cronie's `RANDOM_DELAY` are not carried
 *   over: each is reported, and kept as a note above the tasks it applied to.
 * A job's id comes from its schedule and command, so it stays the same when lines are added or
 * moved around it.
 */
const ENV_LINE = /^(?:"([^"]*)"|'([^']*)'|([A-Za-z_][A-Za-z0-9_]*))\s*=\s*(.*)$/;
const MACRO = /^@([A-Za-z]+)$/;
const NOT_CARRIED = new Map([
  ["MAILTO", "svcmgr sends no mail: a run's output is kept in its history"],
  ["MAILFROM", "svcmgr sends no mail"],
  ["RANDOM_DELAY", "svcmgr adds no random delay to cron schedules"],
]);

interface Context {
  env: [string, string][];
  timezone?: string;
  shell: string;
  notes: Map<string, string>;
}

export function readCrontab(text: string, problems: Problems): Job[] {
  const lines = text.split("\n");
  const last = lines.pop();
  if (last !== undefined && last.trim() !== "") {
    problems.error(lines.length + 1, "the last line has no newline at its end: cron refuses such a file (half written?)");
    lines.push(last);
  }
  const ctx: Context = { env: [], shell: "/bin/sh", notes: new Map() };
  const jobs: Job[] = [];
  const seen = new Map<string, number>();
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const line = raw.replace(/\r$/, "").trim();
    if (line === "" || line.startsWith("#")) return;
    const env = ENV_LINE.exec(line);
    if (env !== null && !/^[\d*@]/.test(line)) return setVariable(ctx, env[1] ?? env[2] ?? env[3]!, unquote(env[4]!), lineNo, problems);
    const job = readJobLine(line, lineNo, ctx, problems);
    if (job === null) return;
    const first = seen.get(job.id);
    if (first !== undefined) return problems.error(lineNo, `the same schedule and command as line ${first}: cron would run it twice; remove one`);
    seen.set(job.id, lineNo);
    jobs.push(job);
  });
  if (jobs.length === 0 && !problems.failed) problems.error(undefined, "no job line: nothing to schedule (an empty crontab is refused, so that a half-saved file never removes every job)");
  return jobs;
}

/** cron strips one pair of matching quotes around a value, keeping the spaces inside. */
function unquote(value: string): string {
  const v = value.trim();
  return v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.endsWith(v[0]!) ? v.slice(1, -1) : v;
}

function setVariable(ctx: Context, name: string, value: string, line: number, problems: Problems): void {
  const why = NOT_CARRIED.get(name);
  if (why !== undefined) {
    if (value === "") ctx.notes.delete(name);
    else {
      ctx.notes.set(name, `${name}=${value} (line ${line}) not carried over: ${why}`);
      problems.warning(line, `${name}=${value} is not carried over: ${why}; kept as a note above the tasks it applied to`);
    }
    return;
  }
  if (name === "CRON_TZ") {
    ctx.timezone = value === "" ? undefined : value;
    return;
  }
  if (name === "SHELL") ctx.shell = value === "" ? "/bin/sh" : value;
  ctx.env = ctx.env.filter(([n]) => n !== name);
  ctx.env.push([name, value]);
}

function readJobLine(line: string, lineNo: number, ctx: Context, problems: Problems): Job | null {
  const notes = [...ctx.notes.values()];
  let body = line;
  if (body.startsWith("-")) {
    body = body.slice(1);
    notes.push("a leading '-' (cronie: do not log the run) is dropped: every run is recorded");
  }
  const words = body.split(/[ \t]+/);
  const macro = MACRO.exec(words[0]!);
  const count = macro !== null ? 1 : 5;
  if (words.length <= count) {
    problems.error(lineNo, macro !== null ? `"${line}": ${words[0]} and no command` : `"${line}": expected 5 schedule fields and a command`);
    return null;
  }
  if (macro !== null && macro[1]!.toLowerCase() === "reboot") {
    problems.error(lineNo, "@reboot has no equivalent: svcmgr schedules tasks at clock times, not at boot; run the command from a boot unit instead, or give it a schedule");
    return null;
  }
  const schedule = words.slice(0, count).join(" ");
  const written = body.slice(prefixLength(body, count)).trim();
  const { command, stdin } = splitPercent(written);
  if (stdin !== null) notes.push("the text after '%' in the source is given to the command as its standard input");
  return {
    id: jobId(schedule, written),
    line: lineNo,
    schedule,
    ...(ctx.timezone === undefined ? {} : { timezone: ctx.timezone }),
    disabled: false,
    command: stdinCommand(command, stdin, ctx.shell),
    environment: ctx.env.map(([n, v]) => [n, v] as const),
    notes: [`crontab line: ${line}`, ...notes],
  };
}

/** Length of the first `count` whitespace-separated words of `text` with the blanks after them. */
function prefixLength(text: string, count: number): number {
  const m = new RegExp(`^(?:\\S+[ \\t]+){${count}}`).exec(text);
  return m === null ? text.length : m[0].length;
}
