import { isValidRidIndex, RID_INDEX_ALLOWED } from "../core/rid.js";
import { fromApsCron } from "./aps-cron.js";
import type { Job } from "./job.js";
import { uniqueIds, type Problems } from "./problems.js";
import { describeNode, field, type SourceNode } from "./tree.js";

/**
 * Supertask's older job file, `cronjobs.json`: a list of `{ id, crontab, job, enabled,
 * last_run, last_status }`. `crontab` has 5 fields in APScheduler's dialect; `job` is the text
 * Supertask handed to its job function, taken here as the command. `last_run` and
 * `last_status` are runtime state, not configuration: not imported.
 */
const KNOWN = new Set(["id", "crontab", "job", "enabled", "last_run", "last_status"]);

export function readLegacy(root: SourceNode | null, problems: Problems): Job[] {
  if (root === null) {
    problems.error(1, "empty file: a cronjobs.json file is a JSON list of jobs (half written?)");
    return [];
  }
  if (root.kind !== "seq") {
    problems.error(root.line, `the file is ${describeNode(root)}: a cronjobs.json file is a list of jobs (a timetable with \`tasks\` is --from supertask)`);
    return [];
  }
  if (root.items.length === 0) problems.error(root.line, "the job list is empty: nothing to schedule (an empty list is refused, so that a half-saved file never removes every job)");
  return uniqueIds(root.items.map((item) => readJob(item, problems)), "job", problems);
}

function readJob(node: SourceNode, problems: Problems): Job | null {
  if (node.kind !== "map") {
    problems.error(node.line, `a job is ${describeNode(node)}: expected { "id", "crontab", "job", "enabled" }`);
    return null;
  }
  for (const e of node.entries) if (!KNOWN.has(e.key)) problems.warning(e.line, `unknown key "${e.key}" in a job: not imported`);
  const id = field(node, "id");
  const crontab = field(node, "crontab");
  const command = field(node, "job");
  const enabled = field(node, "enabled");
  let ok = true;
  const fail = (n: SourceNode | undefined, message: string) => {
    problems.error(n?.line ?? node.line, message);
    ok = false;
  };
  const idText = id?.kind === "scalar" && (typeof id.value === "number" || typeof id.value === "string") ? String(id.value) : null;
  if (idText === null) fail(id, id === undefined ? "the job has no \"id\"" : `"id" is ${describeNode(id)}: expected a number or a string`);
  else if (!isValidRidIndex(idText)) fail(id, `id "${idText}" cannot name a task (task#${idText}): a task id is ${RID_INDEX_ALLOWED}`);
  if (command?.kind !== "scalar" || typeof command.value !== "string" || command.value.trim() === "") fail(command, "the job has no \"job\" text to run");
  if (enabled !== undefined && (enabled.kind !== "scalar" || typeof enabled.value !== "boolean")) fail(enabled, `"enabled" is ${describeNode(enabled)}: expected true or false`);
  const notes: string[] = [];
  let schedule = "";
  if (crontab?.kind !== "scalar" || typeof crontab.value !== "string") fail(crontab, "the job has no \"crontab\" text");
  else if (crontab.value.trim().split(/\s+/).length !== 5) fail(crontab, `invalid cron: "${crontab.value}" has ${crontab.value.trim().split(/\s+/).length} field(s): cronjobs.json takes 5 (minute hour day month weekday)`);
  else {
    try {
      const aps = fromApsCron(crontab.value);
      schedule = aps.cron;
      if (aps.translated !== undefined) notes.push(aps.translated);
    } catch (e) {
      fail(crontab, `invalid cron: ${(e as Error).message}`);
    }
  }
  if (!ok) return null;
  return {
    id: idText!,
    line: node.line,
    schedule,
    disabled: enabled?.kind === "scalar" && enabled.value === false,
    command: (command as { value: string }).value.trim(),
    environment: [],
    notes,
  };
}
