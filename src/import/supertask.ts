import { isValidRidIndex, RID_INDEX_ALLOWED } from "../core/rid.js";
import { fromApsCron } from "./aps-cron.js";
import type { Job } from "./job.js";
import { uniqueIds, type Problems } from "./problems.js";
import { entrypointCommand, ENTRYPOINT, pythonFileCommand, type JsonValue } from "./python-step.js";
import { describeNode, field, type SourceMap, type SourceNode } from "./tree.js";

/**
 * A Supertask timetable (YAML or JSON): `tasks[]`, each with `meta` (id, name, description,
 * enabled), `on.schedule[].cron` and `steps[]` (`uses: python-entrypoint | python-file`, `run`,
 * `args`, `kwargs`, `if`). Supertask evaluates every schedule in Europe/Vienna (hard-coded), so
 * the tasks get that zone. Every problem is reported with its line; a task with an error yields
 * no job (the caller refuses the whole file then).
 */
export const SUPERTASK_TIMEZONE = "Europe/Vienna";

const STEP_KINDS = ["python-entrypoint", "python-file"] as const;

export function readTimetable(root: SourceNode | null, problems: Problems): Job[] {
  if (root === null) {
    problems.error(1, "empty file: a Supertask timetable needs a `tasks` list (half written?)");
    return [];
  }
  if (root.kind !== "map") {
    problems.error(root.line, `the file is ${describeNode(root)}: a Supertask timetable is a mapping with a \`tasks\` list (a legacy cronjobs.json list is --from supertask-legacy)`);
    return [];
  }
  const tasks = field(root, "tasks");
  if (tasks === undefined || tasks.kind !== "seq") {
    problems.error(tasks?.line ?? root.line, tasks === undefined ? "no `tasks` list" : `\`tasks\` is ${describeNode(tasks)}, not a list`);
    return [];
  }
  if (tasks.items.length === 0) problems.error(tasks.line, "`tasks` is empty: nothing to schedule (an empty timetable is refused, so that a half-saved file never removes every job)");
  return uniqueIds(tasks.items.map((item) => readTask(item, problems)), "task", problems);
}

function readTask(node: SourceNode, problems: Problems): Job | null {
  if (node.kind !== "map") {
    problems.error(node.line, `a task is ${describeNode(node)}: expected a mapping with meta, on and steps`);
    return null;
  }
  const meta = expectMap(field(node, "meta"), node.line, "meta", problems);
  if (meta === null) return null;
  const id = readId(field(meta, "id"), meta.line, problems);
  const name = optionalText(field(meta, "name"), "meta.name", problems);
  const description = optionalText(field(meta, "description"), "meta.description", problems);
  const enabled = field(meta, "enabled");
  if (enabled !== undefined && (enabled.kind !== "scalar" || typeof enabled.value !== "boolean")) {
    problems.error(enabled.line, `meta.enabled is ${describeNode(enabled)}: expected true or false`);
  }
  const notes: string[] = [];
  const schedule = readSchedule(field(node, "on"), node.line, notes, problems);
  const command = readSteps(field(node, "steps"), node.line, notes, problems);
  if (id === null || schedule === null || command === null) return null;
  return {
    id,
    line: node.line,
    schedule,
    timezone: SUPERTASK_TIMEZONE,
    disabled: enabled?.kind === "scalar" && enabled.value === false,
    command,
    environment: [],
    ...(description !== undefined || name !== undefined ? { description: [name, description].filter((t) => t !== undefined && t !== "").join(": ") } : {}),
    notes,
  };
}

function expectMap(node: SourceNode | undefined, line: number, what: string, problems: Problems): SourceMap | null {
  if (node?.kind === "map") return node;
  problems.error(node?.line ?? line, node === undefined ? `the task has no \`${what}\`` : `\`${what}\` is ${describeNode(node)}: expected a mapping`);
  return null;
}

function readId(node: SourceNode | undefined, line: number, problems: Problems): string | null {
  if (node === undefined || node.kind !== "scalar" || (typeof node.value !== "string" && typeof node.value !== "number")) {
    problems.error(node?.line ?? line, node === undefined ? "the task has no meta.id" : `meta.id is ${describeNode(node)}: expected a string or a number`);
    return null;
  }
  const id = String(node.value);
  if (!isValidRidIndex(id)) {
    problems.error(node.line, `meta.id "${id}" cannot name a task (task#${id}): a task id is ${RID_INDEX_ALLOWED}`);
    return null;
  }
  return id;
}

function optionalText(node: SourceNode | undefined, what: string, problems: Problems): string | undefined {
  if (node === undefined || (node.kind === "scalar" && node.value === null)) return undefined;
  if (node.kind === "scalar" && typeof node.value !== "boolean") return String(node.value);
  problems.error(node.line, `${what} is ${describeNode(node)}: expected text`);
  return undefined;
}

/** `on.schedule[].cron`: none gives "" (manual runs only); more than one is refused. */
function readSchedule(on: SourceNode | undefined, line: number, notes: string[], problems: Problems): string | null {
  if (on === undefined) {
    notes.push("no `on` trigger in the source: manual runs only");
    return "";
  }
  const event = expectMap(on, line, "on", problems);
  if (event === null) return null;
  const list = field(event, "schedule");
  if (list === undefined || list.kind !== "seq") {
    problems.error(list?.line ?? event.line, list === undefined ? "`on` has no `schedule` list (Supertask knows only cron schedules)" : `on.schedule is ${describeNode(list)}: expected a list of { cron: … }`);
    return null;
  }
  if (list.items.length === 0) {
    notes.push("on.schedule is empty in the source: manual runs only");
    return "";
  }
  if (list.items.length > 1) {
    problems.error(list.items[1]!.line, `${list.items.length} schedules: a svcmgr task has one (and Supertask itself keeps only the last, each replacing the one before under the same id): keep one, or split the task`);
    return null;
  }
  const item = list.items[0]!;
  const cron = item.kind === "map" ? field(item, "cron") : undefined;
  if (cron === undefined || cron.kind !== "scalar" || typeof cron.value !== "string") {
    problems.error(cron?.line ?? item.line, "a schedule item needs `cron: \"<expression>\"` (Supertask knows only cron schedules)");
    return null;
  }
  try {
    const aps = fromApsCron(cron.value);
    if (aps.translated !== undefined) notes.push(aps.translated);
    return aps.cron;
  } catch (e) {
    problems.error(cron.line, `invalid cron: ${(e as Error).message}`);
    return null;
  }
}

/** Steps run one after the other, the next only when the one before succeeded: joined with `&&`. */
function readSteps(node: SourceNode | undefined, line: number, notes: string[], problems: Problems): string | null {
  if (node === undefined || node.kind !== "seq") {
    problems.error(node?.line ?? line, node === undefined ? "the task has no `steps`" : `\`steps\` is ${describeNode(node)}: expected a list`);
    return null;
  }
  const commands: string[] = [];
  let ok = true;
  node.items.forEach((step, i) => {
    const command = readStep(step, i + 1, notes, problems);
    if (command === null) ok = false;
    else if (command !== "") commands.push(command);
  });
  if (!ok) return null;
  if (commands.length === 0) {
    problems.error(node.line, node.items.length === 0 ? "`steps` is empty: nothing to run" : "every step is turned off (`if: false`): nothing to run");
    return null;
  }
  return commands.join(" && ");
}

/** A step's command; "" for a step turned off; null after an error. */
function readStep(node: SourceNode, n: number, notes: string[], problems: Problems): string | null {
  if (node.kind !== "map") {
    problems.error(node.line, `step ${n} is ${describeNode(node)}: expected a mapping with uses and run`);
    return null;
  }
  const uses = field(node, "uses");
  const run = field(node, "run");
  const condition = field(node, "if");
  const kind = uses?.kind === "scalar" ? String(uses.value) : undefined;
  if (kind === undefined || !(STEP_KINDS as readonly string[]).includes(kind)) {
    problems.error(uses?.line ?? node.line, kind === undefined ? `step ${n} has no \`uses\`: allowed ${STEP_KINDS.join(", ")}` : `step ${n}: unknown step kind "${kind}": allowed ${STEP_KINDS.join(", ")}`);
    return null;
  }
  if (run === undefined || run.kind !== "scalar" || typeof run.value !== "string" || run.value === "") {
    problems.error(run?.line ?? node.line, `step ${n} has no \`run\` text`);
    return null;
  }
  if (condition !== undefined && (condition.kind !== "scalar" || typeof condition.value !== "boolean")) {
    problems.error(condition.line, `step ${n}: \`if\` is ${describeNode(condition)}: Supertask takes only true or false`);
    return null;
  }
  const args = toJson(field(node, "args") ?? { kind: "seq", line: node.line, items: [] });
  const kwargs = toJson(field(node, "kwargs") ?? { kind: "map", line: node.line, entries: [] });
  if (!Array.isArray(args) || kwargs === null || typeof kwargs !== "object" || Array.isArray(kwargs)) {
    problems.error(node.line, `step ${n}: \`args\` must be a list and \`kwargs\` a mapping`);
    return null;
  }
  const name = field(node, "name");
  const label = `step ${n}${name?.kind === "scalar" && name.value !== null ? ` "${String(name.value)}"` : ""}`;
  if (condition?.kind === "scalar" && condition.value === false) {
    notes.push(`${label} left out: \`if: false\` in the source (Supertask skips it)`);
    return "";
  }
  if (kind === "python-entrypoint") {
    if (!ENTRYPOINT.test(run.value)) {
      problems.error(run.line, `step ${n}: run "${run.value}" is not a Python entry point: expected module:function`);
      return null;
    }
    return entrypointCommand(run.value, args, kwargs);
  }
  notes.push(`${label} (python-file): dependencies declared inside the file are not installed; it runs with the python3 on PATH`);
  return pythonFileCommand(run.value, args, kwargs);
}

function toJson(node: SourceNode): JsonValue {
  if (node.kind === "scalar") return node.value;
  if (node.kind === "seq") return node.items.map(toJson);
  return Object.fromEntries(node.entries.map((e) => [e.key, toJson(e.value)]));
}
