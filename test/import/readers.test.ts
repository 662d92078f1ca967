import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readJobs } from "../../src/import/read.js";
import { parseYamlTree } from "../../src/platform/yaml-tree.js";
import type { SourceFormat } from "../../src/import/job.js";

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "import");
const read = (format: SourceFormat, text: string, file = "src") => readJobs(format, text, file, parseYamlTree);
const fixture = (name: string) => readFileSync(join(FIXTURES, name), "utf8");
const errors = (r: ReturnType<typeof read>): [number | undefined, string][] => r.alerts.filter((a) => a.level === "error").map((a) => [a.line, a.message]);

test("Supertask timetable (YAML): ids, cron in svcmgr's dialect, Vienna, enabled → disabled, steps → one command", () => {
  const r = read("supertask", fixture("timetable.yaml"));
  assert.equal(r.ok, true, JSON.stringify(r.alerts));
  assert.deepEqual(r.jobs.map((j) => [j.id, j.line, j.schedule, j.timezone, j.disabled]), [
    ["lKPzlamA", 12, "*/5 * * * * * *", "Europe/Vienna", false],
    ["nightly-report", 37, "30 6 * * 1-5", "Europe/Vienna", true],
    ["7", 53, "0 0 8 1 * +mon", "Europe/Vienna", false],
  ]);
  const [waiter, report] = r.jobs;
  assert.match(waiter!.command, /^python3 -c 'import functools, importlib, json; .*"supertask\.contrib\.testing".*\\"jitter\\":0\.42/);
  assert.doesNotMatch(waiter!.command, /notify/, "a step with if: false is left out");
  assert.ok(waiter!.notes.some((n) => /step 2 "Invoke notifier" left out/.test(n)));
  assert.ok(report!.notes.some((n) => /weekday numbers count from Monday/.test(n)));
  assert.equal(waiter!.description, "Example Python reference: Run a Python function every five seconds.");
});

test("Supertask timetable (JSON): two steps run one after the other", () => {
  const r = read("supertask", fixture("timetable.json"));
  assert.equal(r.ok, true);
  assert.equal(r.jobs.length, 1);
  assert.match(r.jobs[0]!.command, /"os\.path".* && python3 -c .*"os"/);
});

test("legacy cronjobs.json: ids, enabled, job text as the command, weekday renumbered", () => {
  const r = read("supertask-legacy", fixture("cronjobs.json"));
  assert.equal(r.ok, true);
  assert.deepEqual(r.jobs.map((j) => [j.id, j.schedule, j.command, j.disabled, j.timezone]), [
    ["0", "2-3,59 * * * *", "echo select from testx", false, undefined],
    ["1", "* * * * *", "job3", true, undefined],
    ["3", "12-13,5,11 * * * 6", "xxx --flag", false, undefined],
  ]);
});

test("bad Supertask input: unknown step kind, invalid cron, duplicate ids, each at its line", () => {
  const yaml = [
    "tasks:",
    "  - meta: { id: a, enabled: true }",
    "    on: { schedule: [ { cron: '* * * * *' } ] }",
    "    steps: [ { name: s, uses: shell, run: 'echo hi' } ]",
    "  - meta: { id: b, enabled: true }",
    "    on: { schedule: [ { cron: '61 * * * *' } ] }",
    "    steps: [ { name: s, uses: python-entrypoint, run: 'os:getcwd' } ]",
    "  - meta: { id: b, enabled: true }",
    "    on: { schedule: [ { cron: '* * *' } ] }",
    "    steps: [ { name: s, uses: python-entrypoint, run: 'os:getcwd' } ]",
    "  - meta: { id: c, enabled: yes }",
    "    on: { schedule: [ { cron: '* * * * *' } ] }",
    "    steps: [ { name: s, uses: python-entrypoint, run: 'not an entry point' } ]",
    "",
  ].join("\n");
  const r = read("supertask", yaml);
  assert.equal(r.ok, false);
  const e = errors(r);
  assert.ok(e.some(([l, m]) => l === 4 && /unknown step kind "shell": allowed python-entrypoint, python-file/.test(m!)), JSON.stringify(e));
  assert.ok(e.some(([l, m]) => l === 9 && /invalid cron: "\* \* \*" has 3 field/.test(m!)), JSON.stringify(e));
  assert.ok(e.some(([l, m]) => l === 5 && /invalid cron "61 \* \* \* \*"/.test(m!)), JSON.stringify(e));
  assert.ok(e.some(([l, m]) => l === 11 && /meta.enabled is string "yes": expected true or false/.test(m!)), JSON.stringify(e));
  assert.ok(e.some(([l, m]) => l === 13 && /not a Python entry point/.test(m!)), JSON.stringify(e));
  const dup = read("supertask", yaml.replace("'* * *'", "'* * * * *'"));
  assert.ok(errors(dup).some(([l, m]) => l === 8 && /duplicate task id "b": first used at line 5/.test(m!)), JSON.stringify(errors(dup)));
});

test("bad Supertask input: empty file, half-written file, empty task list, two schedules, bad id", () => {
  assert.match(errors(read("supertask", ""))[0]![1]!, /empty file/);
  assert.match(errors(read("supertask", "  \n\n"))[0]![1]!, /empty file/);
  const half = fixture("timetable.json").slice(0, 200);
  const h = errors(read("supertask", half, "t.json"));
  assert.equal(h.length, 1);
  assert.match(h[0]![1]!, /not valid YAML or JSON \(half written\?\)/);
  assert.match(errors(read("supertask", "tasks: []\n"))[0]![1]!, /`tasks` is empty/);
  const two = "tasks:\n  - meta: { id: a }\n    on:\n      schedule:\n        - cron: '0 * * * *'\n        - cron: '30 * * * *'\n    steps: [ { uses: python-entrypoint, run: 'os:getcwd' } ]\n";
  assert.deepEqual(errors(read("supertask", two)).map(([l]) => l), [6]);
  assert.match(errors(read("supertask", two))[0]![1]!, /2 schedules: a svcmgr task has one/);
  assert.match(errors(read("supertask", "tasks:\n  - meta: { id: '../x' }\n    steps: []\n"))[0]![1]!, /meta.id "..\/x" cannot name a task/);
  assert.match(errors(read("supertask", "[1, 2]\n"))[0]![1]!, /a legacy cronjobs.json list is --from supertask-legacy/);
});

test("bad legacy input: empty, half written, duplicate ids, 6-field crontab, weekday 7", () => {
  assert.match(errors(read("supertask-legacy", ""))[0]![1]!, /empty file/);
  assert.match(errors(read("supertask-legacy", '[{"id": 0, "crontab": "* * * * *",'))[0]![1]!, /not valid JSON \(half written\?\)/);
  const dup = '[\n{"id": 1, "crontab": "* * * * *", "job": "a", "enabled": true},\n{"id": 1, "crontab": "* * * * *", "job": "b", "enabled": true}\n]';
  assert.deepEqual(errors(read("supertask-legacy", dup)), [[3, 'duplicate job id "1": first used at line 2']]);
  assert.match(errors(read("supertask-legacy", '[{"id": 1, "crontab": "0 * * * * *", "job": "a"}]'))[0]![1]!, /cronjobs.json takes 5/);
  assert.match(errors(read("supertask-legacy", '[{"id": 1, "crontab": "0 * * * 7", "job": "a"}]'))[0]![1]!, /day of week 7 is out of APScheduler's range 0-6/);
  assert.equal(read("supertask-legacy", "[]").ok, false);
});

test("crontab: environment lines apply to the jobs after them; CRON_TZ, SHELL, MAILTO, macros, %", () => {
  const r = read("crontab", fixture("crontab"));
  assert.equal(r.ok, true, JSON.stringify(r.alerts));
  assert.deepEqual(r.jobs.map((j) => [j.line, j.schedule, j.timezone]), [
    [8, "30 2 * * *", "Europe/Paris"],
    [9, "*/15 * * * 1-5", "Europe/Paris"],
    [10, "@daily", "Europe/Paris"],
    [11, "@midnight", "Europe/Paris"],
    [15, "0 12 1 * 0", "Europe/Paris"],
  ]);
  const [backup, date, , mail, echo] = r.jobs;
  assert.equal(backup!.command, "/usr/local/bin/backup --full > /var/log/backup.log 2>&1");
  assert.equal(date!.command, "date +%H:%M >> /tmp/stamps", "\\% is a literal %");
  assert.equal(mail!.command, `printf '%s\\n%s\\n%s' Hello, 'the report is ready.' '' | /bin/sh -c 'mail -s "report" root'`);
  assert.deepEqual(echo!.environment, [["SHELL", "/bin/sh"], ["PATH", "/usr/local/bin:/usr/bin:/bin"], ["GREETING", "hello world"]]);
  assert.ok(backup!.notes.some((n) => /MAILTO=ops@example.com \(line 4\) not carried over/.test(n)));
  assert.ok(!echo!.notes.some((n) => /MAILTO/.test(n)), "MAILTO=\"\" ends it");
  assert.deepEqual(r.alerts.map((a) => [a.level, a.line]), [["warning", 4]]);
});

test("crontab: ids come from the line's content, not its position", () => {
  const a = read("crontab", "0 1 * * * /bin/a\n0 2 * * * /bin/b\n");
  const b = read("crontab", "# new comment\nX=1\n0 2 * * * /bin/b\n5 5 * * * /bin/c\n0 1 * * * /bin/a\n");
  assert.deepEqual(a.jobs.map((j) => j.id), [b.jobs[2]!.id, b.jobs[0]!.id]);
  assert.match(a.jobs[0]!.id, /^a-[0-9a-f]{8}$/);
});

test("crontab: another SHELL runs the command through it", () => {
  const r = read("crontab", "SHELL=/bin/bash\n* * * * * echo {a,b} 'x'\n");
  assert.equal(r.jobs[0]!.command, `/bin/bash -c 'echo {a,b} '\\''x'\\'''`);
});

test("bad crontab input: @reboot, invalid cron, duplicate line, no command, missing final newline, empty", () => {
  const r = read("crontab", "@reboot /bin/start\n61 * * * * /bin/x\n0 1 * * * /bin/a\n0 1 * * * /bin/a\n* * * * *\n0 0 * * * ok");
  assert.equal(r.ok, false);
  const e = errors(r);
  assert.deepEqual(e.map(([l]) => l).sort(), [1, 2, 4, 5, 6]);
  assert.match(e.find(([l]) => l === 1)![1]!, /@reboot has no equivalent/);
  assert.match(e.find(([l]) => l === 2)![1]!, /invalid cron "61 \* \* \* \*"/);
  assert.match(e.find(([l]) => l === 4)![1]!, /same schedule and command as line 3/);
  assert.match(e.find(([l]) => l === 5)![1]!, /expected 5 schedule fields and a command/);
  assert.match(e.find(([l]) => l === 6)![1]!, /no newline at its end/);
  assert.match(errors(read("crontab", ""))[0]![1]!, /no job line/);
  assert.match(errors(read("crontab", "# only\nA=1\n"))[0]![1]!, /no job line/);
  assert.match(errors(read("crontab", "CRON_TZ=Mars/Olympus\n0 1 * * * x\n"))[0]![1]!, /in time zone Mars\/Olympus/);
});
