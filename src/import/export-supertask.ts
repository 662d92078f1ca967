import { splitShellWords } from "../core/shlex.js";
import { quoteShellWord } from "../core/shlex.js";
import type { ExportNote, ExportResult, ExportTask } from "./export-task.js";
import { stepsOf, type PythonStep } from "./python-step.js";
import { SUPERTASK_TIMEZONE } from "./supertask.js";
import { toApsCron } from "./aps-cron-out.js";

/**
 * Tasks as a Supertask timetable (JSON, which Supertask reads as it reads YAML). Steps that an
 * import wrote as `python3 -c …` come back as the steps they were; any other command becomes a
 * `subprocess:check_call` step with `shell: true` (it fails when the command fails), with the
 * environment and cwd as a prefix. Cron is written in APScheduler's dialect (aps-cron-out.ts).
 * Not expressible, and said: OpenSVC schedules, a cron with day of month OR day of week, a time
 * zone other than Europe/Vienna (Supertask's only one), and every other keyword set.
 */
export function toTimetable(tasks: readonly ExportTask[], hostZone: string): ExportResult {
  const notes: ExportNote[] = [];
  const out: unknown[] = [];
  for (const t of tasks) {
    const note = (message: string) => notes.push({ rid: t.rid, message });
    const cron = t.schedule === "" ? null : toApsCron(t.schedule);
    if (cron !== null && "error" in cron) {
      note(`${cron.error}: left out`);
      continue;
    }
    const zone = t.timezone ?? hostZone;
    if (cron !== null && zone !== SUPERTASK_TIMEZONE) note(`its schedule is evaluated in ${zone} here, in ${SUPERTASK_TIMEZONE} by Supertask (the only zone it knows): runs move by the difference`);
    if (t.confirmation) note("confirmation = true: never scheduled here; exported with enabled: false");
    if (t.schedule === "") note("no schedule here (manual runs only): an empty schedule list, which Supertask never runs");
    for (const kw of t.unsupported) note(`${kw} is not carried over`);
    out.push({
      meta: { id: t.index, name: t.comment ?? t.rid, description: t.comment ?? "", enabled: !t.disabled && !t.confirmation },
      on: { schedule: cron === null ? [] : [{ cron: cron.cron }] },
      steps: steps(t).map((s, i) => ({ name: `step ${i + 1}`, uses: s.uses, run: s.run, args: s.args, kwargs: s.kwargs })),
    });
  }
  const timetable = { meta: { type: "supertask-timetable", version: 1, generator: "svcmgr export --to supertask" }, tasks: out };
  return { text: `${JSON.stringify(timetable, null, 2)}\n`, notes };
}

function steps(t: ExportTask): PythonStep[] {
  if (t.environment.length === 0 && t.cwd === undefined) {
    let words: string[] | null = null;
    try {
      words = splitShellWords(t.command);
    } catch {
      words = null;
    }
    const back = words === null ? null : stepsOf(words);
    if (back !== null) return back;
  }
  const prefix = [
    ...(t.environment.length > 0 ? [`export ${t.environment.map(([n, v]) => quoteShellWord(`${n}=${v}`)).join(" ")};`] : []),
    ...(t.cwd !== undefined ? [`cd ${quoteShellWord(t.cwd)} &&`] : []),
  ];
  return [{ uses: "python-entrypoint", run: "subprocess:check_call", args: [[...prefix, t.command].join(" ")], kwargs: { shell: true } }];
}
