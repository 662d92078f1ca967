import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readJobs } from "../../src/import/read.js";
import { parseYamlTree } from "../../src/platform/yaml-tree.js";
import { toCrontab } from "../../src/import/export-crontab.js";
import { toTimetable } from "../../src/import/export-supertask.js";
import { toApsCron } from "../../src/import/aps-cron-out.js";
import { fromApsCron } from "../../src/import/aps-cron.js";
import type { ExportTask } from "../../src/import/export-task.js";
import type { Job, SourceFormat } from "../../src/import/job.js";
import { parseSchedule } from "../../src/schedule/index.js";

const FIXTURES = join(import.meta.dirname, "..", "fixtures", "import");
const read = (format: SourceFormat, text: string) => {
  const r = readJobs(format, text, "src", parseYamlTree);
  assert.ok(r.ok, JSON.stringify(r.alerts));
  return r.jobs;
};
const asTask = (j: Job): ExportTask => ({
  rid: `task#${j.id}`, index: j.id, schedule: j.schedule, ...(j.timezone === undefined ? {} : { timezone: j.timezone }),
  disabled: j.disabled, confirmation: false, command: j.command, environment: j.environment, unsupported: [],
});
/** A schedule by what it does: its next 60 runs from a fixed instant (names and numbers for weekdays are alike). */
const runs = (schedule: string, timezone = "UTC") =>
  schedule === "" ? [] : parseSchedule(schedule, { timezone }).nextRuns(new Date("2026-01-01T00:00:00Z"), 60).map((d) => d.toISOString());
/** What must survive a round trip. */
const essence = (j: Job) => ({ runs: runs(j.schedule, j.timezone), timezone: j.timezone, command: j.command, environment: j.environment });

test("cron to APScheduler's dialect and back: weekdays as names, AND kept, OR refused", () => {
  assert.deepEqual(toApsCron("30 6 * * 1-5"), { cron: "30 6 * * mon,tue,wed,thu,fri" });
  assert.deepEqual(toApsCron("0 0 * * 0"), { cron: "0 0 * * sun" });
  assert.deepEqual(toApsCron("0 0 * * 7,3"), { cron: "0 0 * * wed,sun" });
  assert.deepEqual(toApsCron("0 0 * * 1-7/2"), { cron: "0 0 * * mon,wed,fri,sun" });
  assert.deepEqual(toApsCron("0 0 8 1 * +mon"), { cron: "0 0 8 1 * mon" });
  assert.deepEqual(toApsCron("@daily"), { cron: "0 0 * * *" });
  assert.match((toApsCron("0 0 1 * mon") as { error: string }).error, /OR the day of week/);
  assert.match((toApsCron("02:00-04:00@60") as { error: string }).error, /not cron/);
  assert.match((toApsCron("0 0 * * 5L") as { error: string }).error, /L, W, # or \?/);
  for (const c of ["30 6 * * 0-4", "0 0 8 1 * mon", "*/5 * * * * * *", "0 12 * * */2"]) {
    const svc = fromApsCron(c).cron;
    const back = toApsCron(svc) as { cron: string };
    assert.deepEqual(runs(fromApsCron(back.cron).cron), runs(svc), `${c} → ${svc} → ${back.cron}`);
  }
});

test("round trip: crontab → tasks → crontab → tasks keeps every schedule, zone, command and environment", () => {
  const jobs = read("crontab", readFileSync(join(FIXTURES, "crontab"), "utf8"));
  const out = toCrontab(jobs.map(asTask), "test");
  assert.deepEqual(out.notes, []);
  const again = read("crontab", out.text);
  assert.deepEqual(again.map(essence), jobs.map(essence));
});

test("round trip: timetable → tasks → timetable → tasks keeps ids, schedules, enabled and the steps", () => {
  for (const name of ["timetable.yaml", "timetable.json"]) {
    const jobs = read("supertask", readFileSync(join(FIXTURES, name), "utf8"));
    const out = toTimetable(jobs.map(asTask), "Europe/Vienna");
    assert.deepEqual(out.notes, []);
    const again = read("supertask", out.text);
    assert.deepEqual(again.map((j) => [j.id, j.disabled, essence(j)]), jobs.map((j) => [j.id, j.disabled, essence(j)]));
  }
});

test("round trip: cronjobs.json → tasks → timetable: a plain command becomes a checked shell step", () => {
  const jobs = read("supertask-legacy", readFileSync(join(FIXTURES, "cronjobs.json"), "utf8"));
  const out = toTimetable(jobs.map(asTask), "Europe/Vienna");
  const tt = JSON.parse(out.text) as { tasks: { meta: { id: string; enabled: boolean }; on: { schedule: { cron: string }[] }; steps: { uses: string; run: string; args: unknown[]; kwargs: unknown }[] }[] };
  assert.deepEqual(tt.tasks.map((t) => [t.meta.id, t.meta.enabled, t.on.schedule[0]!.cron]), [["0", true, "2-3,59 * * * *"], ["1", false, "* * * * *"], ["3", true, "12-13,5,11 * * * sat"]]);
  assert.deepEqual(tt.tasks[0]!.steps[0], { name: "step 1", uses: "python-entrypoint", run: "subprocess:check_call", args: ["echo select from testx"], kwargs: { shell: true } });
  const again = read("supertask", out.text);
  assert.deepEqual(again.map((j) => runs(j.schedule)), jobs.map((j) => runs(j.schedule)));
});

test("what a crontab cannot say is listed, never dropped silently", () => {
  const base: ExportTask = { rid: "task#a", index: "a", schedule: "0 1 * * *", disabled: false, confirmation: false, command: "run 50%", environment: [], unsupported: [] };
  const out = toCrontab([
    base,
    { ...base, rid: "task#b", schedule: "02:00-04:00@60" },
    { ...base, rid: "task#c", schedule: "*/5 * * * * *" },
    { ...base, rid: "task#d", schedule: "" },
    { ...base, rid: "task#e", confirmation: true },
    { ...base, rid: "task#f", unsupported: ["user", "timeout"], disabled: true, cwd: "/srv/x y" },
    { ...base, rid: "task#g", environment: [["SHELL", "/bin/bash"]] },
  ], "t");
  assert.match(out.text, /^0 1 \* \* \* run 50\\%$/m);
  assert.match(out.text, /^# \(disabled\) 0 1 \* \* \* cd '\/srv\/x y' && run 50\\%$/m);
  assert.deepEqual(out.notes.map((n) => n.rid), ["task#b", "task#c", "task#d", "task#e", "task#f", "task#f", "task#g"]);
  assert.match(out.text, /# Not expressible in a crontab:\n#   task#b: schedule "02:00-04:00@60" is not a 5-field cron/);
});
