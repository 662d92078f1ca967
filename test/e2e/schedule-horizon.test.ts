import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { openHistory } from "../../src/platform/sqlite/store.js";
import { count, killAllDaemons, records, setup, startDaemon, waitRecords } from "./daemon-harness.js";

/**
 * Schedules without a horizon, as an operator meets them (design §6): a long interval after a
 * run, a last run far in the future, and a schedule with no run in the next 5 years — an error
 * for `validate config`, a reason in `print schedule`, a refused task (not service) in the daemon.
 */

after(() => killAllDaemons());

const DAY = 86_400_000;

interface ScheduleRow {
  rid: string;
  nextRun: string | null;
  notScheduled: string | null;
}

describe("schedules without a horizon", { concurrency: true }, () => {
  test("print schedule: @800d after a run is the slot + 800 days; a last slot years ahead counts as now; a never-matching task says why", async (t) => {
    const r = setup(t).root;
    r.writeConf("far", [
      "[task#long]\ncommand = echo long\nschedule = @800d\ntimezone = UTC\n",
      "[task#future]\ncommand = echo future\nschedule = @30m\ntimezone = UTC\n",
      "[task#never]\ncommand = echo never\nschedule = 0 0 30 2 *\ntimezone = UTC\n",
      "[task#rare]\ncommand = echo rare\nschedule = * mon:29 * feb\ntimezone = UTC\n",
    ].join("\n"));
    const slot = Math.floor((Date.now() - DAY) / 1000) * 1000;
    mkdirSync(r.path("var"), { recursive: true });
    const store = openHistory(r.path("var", "history.sqlite"));
    store.record({ svc: "far", rid: "task#long", trigger: "schedule", scheduledFor: slot, startedAt: slot, endedAt: slot + 5, status: "succeeded", exitCode: 0 });
    const ahead = Date.now() + 3 * 365 * DAY;
    store.record({ svc: "far", rid: "task#future", trigger: "schedule", scheduledFor: ahead, startedAt: ahead, endedAt: ahead + 5, status: "succeeded", exitCode: 0 });
    store.close();

    const before = Date.now();
    const json = await r.run(["-s", "far", "print", "schedule", "--format", "json"]);
    assert.equal(json.status, 0, json.stderr);
    const rows = new Map((JSON.parse(json.stdout) as ScheduleRow[]).map((x) => [x.rid, x]));
    assert.equal(Date.parse(rows.get("task#long")!.nextRun!), slot + 800 * DAY);
    const future = Date.parse(rows.get("task#future")!.nextRun!);
    assert.ok(future >= before && future <= Date.now() + 31 * 60_000, rows.get("task#future")!.nextRun!);
    assert.equal(rows.get("task#never")!.nextRun, null);
    assert.equal(rows.get("task#never")!.notScheduled, "no run in the next 5 years: it never runs");
    assert.equal(rows.get("task#rare")!.nextRun, null);
    assert.match(rows.get("task#rare")!.notScheduled!, /^no run in the next 5 years: its first run is 2044-02-29T00:00:00\+00:00$/);

    const text = await r.run(["-s", "far", "print", "schedule"]);
    assert.equal(text.status, 0, text.stderr);
    const longLine = text.stdout.split("\n").find((l) => /^far\s+run\s+task#long\s/.test(l)) ?? "";
    assert.ok(longLine.includes(rows.get("task#long")!.nextRun!), longLine);
    assert.match(text.stdout, /never: no run in the next 5 years: it never runs/);
  });

  test("validate config: a schedule with no run in the next 5 years is an error naming the task, the schedule and the first run", async (t) => {
    const r = setup(t).root;
    r.writeConf("bad", "[task#1]\ncommand = echo a\nschedule = 0 0 30 2 *\n\n[task#2]\ncommand = echo b\nschedule = * mon:29 * feb\ntimezone = Europe/Paris\n\n[task#3]\ncommand = echo c\nschedule = 10:00 sat:first,sun:last * 1\n\n[task#4]\ncommand = echo d\nschedule = @800d\n");
    const v = await r.run(["-s", "bad", "validate", "config"]);
    assert.equal(v.status, 2, v.stdout + v.stderr);
    const out = v.stdout + v.stderr;
    assert.match(out, /:3: \[task#1\] schedule = "0 0 30 2 \*": error: no run in the next 5 years: it never runs/);
    assert.match(out, /:7: \[task#2\] schedule = "\* mon:29 \* feb": error: no run in the next 5 years: its first run is 2044-02-29T00:00:00\+01:00/);
    assert.doesNotMatch(out, /task#3\].*error/);
    assert.doesNotMatch(out, /task#4\].*error/);
    // A manual run of the service is not refused: the policy is about scheduling.
    const run = await r.runTasks("bad", ["--rid", "task#1"]);
    assert.equal(run.status, 0, run.stderr);
  });

  test("schedule next: no horizon, and a last run years ahead counts as now", async (t) => {
    const r = setup(t).root;
    const next = async (...args: string[]) => {
      const res = await r.run(["schedule", "next", ...args, "--timezone", "UTC", "--count", "1", "--format", "json"]);
      assert.equal(res.status, 0, res.stderr);
      return JSON.stringify(JSON.parse(res.stdout));
    };
    assert.match(await next("@800d", "--now", "2026-12-02T00:00:00Z", "--last", "2026-12-01T00:00:00Z"), /2029-02-08T00:00:00/);
    assert.match(await next("* *:29 * feb", "--now", "2028-03-01T00:00:00Z"), /2032-02-29T00:00:00/);
    assert.match(await next("*", "--now", "2026-12-02T00:00:00Z", "--last", "2030-12-02T00:00:00Z"), /2026-12-03T00:00:00/);
  });

  test("the daemon refuses a task with no run in the next 5 years, logs it once, and serves the service's other tasks", async (t) => {
    const o = setup(t);
    const r = o.root;
    r.writeConf("mix", "[task#1]\ncommand = echo never\nschedule = * *:31 * feb\n\n[task#2]\ncommand = echo every second\nschedule = * * * * * *\n");
    const d = startDaemon(o);
    const refused = await d.waitEvent("not-scheduled task#1", (e) => e.event === "not-scheduled" && e.rid === "task#1", 30_000);
    assert.equal(refused.reason, "no-run-ahead");
    assert.match(String(refused.detail ?? refused.message), /schedule "\* \*:31 \* feb": no run in the next 5 years: it never runs/);
    await waitRecords(r, "3 runs of task#2", (rs) => count(rs, (x) => x.rid === "task#2" && x.status === "succeeded") >= 3, 30_000, d);
    assert.equal(d.events.filter((e) => e.event === "not-scheduled" && e.rid === "task#1").length, 1);
    assert.deepEqual(records(r, { rid: "task#1" }), []);
  });
});
