import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { openHistory } from "../../src/platform/sqlite/store.js";
import type { RunRecord } from "../../src/core/run-record.js";
import { isProcessAlive, processStartTime } from "../../src/platform/liveness.js";
import { processesWith, waitFor } from "./helpers.js";
import { count, duplicateSlots, killAllDaemons, marked, records, setup, startDaemon, waitRecords } from "./daemon-harness.js";

/**
 * The real daemon (`svcmgr daemon run`) on private roots with second-granularity schedules:
 * what it runs, skips and misses is checked in its history and its JSON log, as an operator would.
 * Every test owns its root and its daemons, so they run concurrently.
 */

const EVERY_SECOND = "* * * * * *";
const iso = (ms: number | null): string => (ms === null ? "null" : new Date(ms).toISOString());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

after(() => killAllDaemons());

describe("daemon end to end", { concurrency: true }, () => {
  test("second-granularity schedules run and are recorded (cron with seconds and @Ns)", async (t) => {
    const o = setup(t);
    const r = o.root;
    r.writeConf("basic", `[task#1]\ncommand = echo ok-$SVCMGR_RID-$SVCMGR_TRIGGER\nschedule = ${EVERY_SECOND}\n\n[task#2]\ncommand = sh -c 'echo bad >&2; exit 3'\nschedule = @2s\n`);
    const d = startDaemon(o);
    const recs = await waitRecords(r, "3 task#1 successes and 2 task#2 failures",
      (rs) => count(rs, (x) => x.rid === "task#1" && x.status === "succeeded") >= 3 && count(rs, (x) => x.rid === "task#2" && x.status === "failed") >= 2, 10_000, d);
    const exit = await d.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, d.tail());
    assert.ok(d.find("daemon-stopped").length === 1, "the log says the daemon stopped");

    const all = records(r);
    assert.deepEqual(duplicateSlots(all), []);
    for (const rec of all) {
      assert.equal(rec.trigger, "schedule");
      assert.notEqual(rec.scheduledFor, null);
      assert.ok(["succeeded", "failed"].includes(rec.status), `${rec.rid} ${iso(rec.scheduledFor)} is ${rec.status}`);
      const lag = rec.startedAt - rec.scheduledFor!;
      assert.ok(lag >= 0 && lag < 1000, `start lag ${lag} ms for ${rec.rid} ${iso(rec.scheduledFor)}`);
    }
    const ones = recs.filter((x) => x.rid === "task#1" && x.status === "succeeded");
    for (const rec of ones) {
      assert.equal(rec.scheduledFor! % 1000, 0, "a cron slot is on a whole second");
      assert.equal(rec.exitCode, 0);
      assert.equal(rec.outputHead, "ok-task#1-schedule\n");
    }
    const slots1 = ones.map((x) => x.scheduledFor!).sort((a, b) => a - b);
    for (let i = 1; i < slots1.length; i++) assert.equal(slots1[i]! - slots1[i - 1]!, 1000, "consecutive seconds, none skipped");
    const twos = recs.filter((x) => x.rid === "task#2" && x.status === "failed");
    for (const rec of twos) {
      assert.equal(rec.exitCode, 3);
      assert.equal(rec.outputHead, "bad\n");
    }
    const slots2 = twos.map((x) => x.scheduledFor!).sort((a, b) => a - b);
    assert.ok(slots2[1]! - slots2[0]! >= 1990 && slots2[1]! - slots2[0]! <= 2100, `@2s slots ${slots2.map(iso).join(", ")}`);
    // Every finished record has its started and finished log lines.
    for (const rec of all) {
      assert.equal(d.events.filter((e) => e.event === "started" && e.rid === rec.rid && e.slot === iso(rec.scheduledFor)).length, 1, `one started line for ${rec.rid} ${iso(rec.scheduledFor)}`);
      assert.ok(d.events.some((e) => e.event === "finished" && e.rid === rec.rid && e.slot === iso(rec.scheduledFor) && e.message.includes(rec.status === "succeeded" ? `status=succeeded exit=0 run=${rec.id}` : `status=failed exit=3 run=${rec.id}`)));
    }
  });

  test("overlap: a 3 s task every second with max_parallel = 1 is skipped, never run twice at once", async (t) => {
    const o = setup(t);
    const r = o.root;
    const m = marked(o);
    r.writeConf("overlap", `[task#1]\ncommand = sleep 3 ${m}\nschedule = ${EVERY_SECOND}\nmax_parallel = 1\n`);
    const d = startDaemon(o, ["--grace", "1s"]);
    let maxAlive = 0;
    const recs = await waitRecords(r, "3 max_parallel skips", (rs) => {
      maxAlive = Math.max(maxAlive, processesWith(`sleep 3 ${m}`).length);
      return count(rs, (x) => x.status === "skipped") >= 3;
    }, 10_000, d);
    assert.equal(maxAlive, 1, "one copy of the task at a time");
    const skipped = recs.filter((x) => x.status === "skipped");
    for (const s of skipped) {
      assert.match(s.reason ?? "", /task is already running 1 times \(max_parallel = 1\)/);
      assert.equal(s.trigger, "schedule");
      assert.equal(s.pid, null, "a skip runs nothing");
    }
    const skipLine = await d.waitEvent("a skipped log line", (e) => e.event === "skipped" && e.slot === iso(skipped[0]!.scheduledFor));
    assert.equal(skipLine.reason, "max-parallel");
    assert.deepEqual(duplicateSlots(recs), []);
  });

  test("run_requires unmet at fire time: skipped with the requirement as reason", async (t) => {
    const o = setup(t);
    const r = o.root;
    const dir = r.path("needed");
    r.writeConf("req", `[fs#1]\ntype = directory\npath = ${dir}\n\n[task#1]\ncommand = echo ran\nschedule = ${EVERY_SECOND}\nrun_requires = fs#1(up)\n`);
    const d = startDaemon(o);
    const recs = await waitRecords(r, "2 requires skips", (rs) => count(rs, (x) => x.status === "skipped") >= 2, 10_000, d);
    for (const s of recs) {
      assert.equal(s.status, "skipped");
      assert.match(s.reason ?? "", /fs#1/);
      assert.match(s.reason ?? "", /up/);
    }
    const line = await d.waitEvent("a skipped requires line", (e) => e.event === "skipped" && e.rid === "task#1");
    assert.equal(line.reason, "requires");
    // Once the requirement holds, the next slot runs.
    mkdirSync(dir);
    await waitRecords(r, "a run once fs#1 is up", (rs) => rs.some((x) => x.status === "succeeded"), 10_000, d);
    // A reload that changes only the resource (the task is the same) is what the next slots check.
    r.writeConf("req", `[fs#1]\ntype = directory\npath = ${dir}-moved\n\n[task#1]\ncommand = echo ran\nschedule = ${EVERY_SECOND}\nrun_requires = fs#1(up)\n`);
    const reloaded = await d.waitEvent("req reloaded", (e) => e.event === "reloaded" && e.svc === "req");
    const later = await waitRecords(r, "a skip after the reload", (rs) => rs.some((x) => x.status === "skipped" && x.startedAt > Date.parse(reloaded.time)), 10_000, d);
    const sinceReload = later.filter((x) => x.startedAt > Date.parse(reloaded.time));
    assert.deepEqual(sinceReload.filter((x) => x.status !== "skipped").map((x) => `${iso(x.scheduledFor)} ${x.status}`), [], "no run once fs#1 is down again");
    assert.match(sinceReload[0]!.reason ?? "", /fs#1/);
  });

  test("confirmation and disabled tasks are never run; the log says why", async (t) => {
    const o = setup(t);
    const r = o.root;
    r.writeConf("guard", `[task#1]\ncommand = echo confirmed\nschedule = ${EVERY_SECOND}\nconfirmation = true\n\n[task#2]\ncommand = echo disabled\nschedule = ${EVERY_SECOND}\ndisable = true\n\n[task#3]\ncommand = echo control\nschedule = ${EVERY_SECOND}\n`);
    const d = startDaemon(o);
    const conf = await d.waitEvent("not-scheduled task#1", (e) => e.event === "not-scheduled" && e.rid === "task#1");
    assert.equal(conf.reason, "confirmation");
    assert.match(conf.message, /confirmation/);
    const dis = await d.waitEvent("not-scheduled task#2", (e) => e.event === "not-scheduled" && e.rid === "task#2");
    assert.equal(dis.reason, "disabled");
    await waitRecords(r, "3 control runs", (rs) => count(rs, (x) => x.rid === "task#3" && x.status === "succeeded") >= 3, 10_000, d);
    const recs = records(r);
    assert.deepEqual(recs.filter((x) => x.rid !== "task#3").map((x) => `${x.rid} ${x.status}`), [], "nothing recorded for task#1 and task#2");
    assert.equal(d.events.filter((e) => e.event === "started" && e.rid !== "task#3").length, 0);
  });

  test("a scheduled task's run directory is made when the daemon loads it, before any run; an unscheduled task's is not", async (t) => {
    const o = setup(t);
    const r = o.root;
    r.writeConf("yearly", "[task#1]\ncommand = echo once a year\nschedule = 0 0 1 1 *\n\n[task#2]\ncommand = echo by hand only\n");
    const d = startDaemon(o);
    await d.waitEvent("planned task#1", (e) => e.event === "planned" && e.rid === "task#1");
    await waitFor("task#1's run directory", () => existsSync(r.runDir("yearly", "task#1")));
    assert.ok(!existsSync(r.runDir("yearly", "task#2")), "a task without a schedule gets nothing");
    r.writeConf("added", "[task#7]\ncommand = echo later\nschedule = 0 0 1 1 *\n");
    await waitFor("a reloaded service's run directory", () => existsSync(r.runDir("added", "task#7")));
    assert.equal(records(r).length, 0, "nothing ran");
  });

  test("an invalid service is refused (logged) while a valid one keeps running", async (t) => {
    const o = setup(t);
    const r = o.root;
    r.writeConf("bad", `[task#1]\ncommand = echo never\nschedule = ${EVERY_SECOND}\nrun_requires = fs#9(up)\n`);
    r.writeConf("good", `[task#1]\ncommand = echo fine\nschedule = ${EVERY_SECOND}\n`);
    const d = startDaemon(o);
    const refused = await d.waitEvent("bad refused", (e) => e.event === "not-scheduled" && e.svc === "bad");
    assert.equal(refused.reason, "invalid-service");
    assert.match(refused.detail ?? "", /fs#9/, "the log names the problem");
    assert.equal(refused.level, "info");
    await waitRecords(r, "3 good runs", (rs) => count(rs, (x) => x.svc === "good" && x.status === "succeeded") >= 3, 10_000, d);
    assert.equal(records(r, { svc: "bad" }).length, 0);
    assert.equal(d.exit, null, "the daemon is still running");
  });

  test("hot reload: add, change, remove files; a running task is untouched; no run because of a reload", async (t) => {
    const o = setup(t);
    const r = o.root;
    const m = marked(o);
    r.writeConf("clock", `[task#1]\ncommand = echo tick\nschedule = ${EVERY_SECOND}\n`);
    r.writeConf("keep", `[task#1]\ncommand = sleep 4 ${m}\nschedule = ${EVERY_SECOND}\n`);
    const d = startDaemon(o);
    const running = await waitRecords(r, "keep running", (rs) => rs.some((x) => x.svc === "keep" && x.status === "running" && x.pid !== null), 10_000, d);
    const keepRun = running.find((x) => x.svc === "keep" && x.status === "running")!;

    // Add a file.
    r.writeConf("added", `[task#1]\ncommand = echo new\nschedule = ${EVERY_SECOND}\n`);
    const addedLine = await d.waitEvent("reloaded added", (e) => e.event === "reloaded" && e.svc === "added");
    assert.match(addedLine.message, /added=1 changed=0 removed=0/);
    await waitRecords(r, "a run of the added service", (rs) => rs.some((x) => x.svc === "added" && x.status === "succeeded"), 10_000, d);

    // Change the running task's schedule to one that never fires during the test.
    r.writeConf("keep", `[task#1]\ncommand = sleep 4 ${m}\nschedule = 0 0 0 1 1 *\n`);
    const changed = await d.waitEvent("reloaded keep", (e) => e.event === "reloaded" && e.svc === "keep" && / changed=1 /.test(e.message));
    assert.match(changed.message, /added=0 changed=1 removed=0/, d.find("reloaded", "keep").map((e) => e.message).join("\n"));
    const changedAt = Date.parse(changed.time);
    const replanned = await d.waitEvent("keep planned for its new schedule", (e) => e.event === "planned" && e.svc === "keep" && Date.parse(e.slot ?? "") > Date.now() + 86_400_000);
    assert.ok(d.events.indexOf(replanned) < d.events.indexOf(changed), `planned in the same pass as the reload\n${d.tail(40)}`);

    // Remove a file.
    rmSync(join(r.etc, "added.conf"));
    const removed = await d.waitEvent("reloaded added removed", (e) => e.event === "reloaded" && e.svc === "added" && /removed=1/.test(e.message));
    const removedAt = Date.parse(removed.time);

    // The run that was going on during all of this finishes normally.
    const done = await waitRecords(r, "the keep run to finish", (rs) => rs.some((x) => x.id === keepRun.id && x.status !== "running"), 10_000, d);
    const finished = done.find((x) => x.id === keepRun.id)!;
    assert.equal(finished.status, "succeeded", `keep run ${finished.status} ${finished.reason ?? ""}`);
    assert.ok(finished.durationMs! >= 3900, `ran its full 4 s (${finished.durationMs} ms)`);
    // Two more seconds of the clock service after the last reload.
    await waitRecords(r, "clock runs after the removal", (rs) => count(rs, (x) => x.svc === "clock" && x.scheduledFor! > removedAt + 1000) >= 1, 10_000, d);

    const recs = records(r);
    assert.deepEqual(recs.filter((x) => x.svc === "keep" && x.scheduledFor! > changedAt).map((x) => iso(x.scheduledFor)), [], "no keep slot after its schedule changed");
    assert.deepEqual(recs.filter((x) => x.svc === "added" && x.scheduledFor! > removedAt).map((x) => iso(x.scheduledFor)), [], "no slot of a removed service");
    const reloadInstants = d.find("reloaded").map((e) => Date.parse(e.time));
    for (const x of recs.filter((x) => x.svc !== "added")) {
      assert.equal(x.scheduledFor! % 1000, 0, `${x.svc} ${x.rid} slot ${iso(x.scheduledFor)} is a schedule slot, not a reload instant`);
    }
    assert.ok(reloadInstants.length >= 3);
    assert.deepEqual(duplicateSlots(recs), []);
    assert.equal(d.exit, null);
  });

  test("SIGHUP reloads; a second daemon on the same root refuses to start", async (t) => {
    const o = setup(t);
    const r = o.root;
    r.writeConf("hup", `[task#1]\ncommand = echo hup\nschedule = ${EVERY_SECOND}\n`);
    const d = startDaemon(o);
    await d.waitEvent("daemon started", (e) => e.event === "planned" && e.svc === "hup");
    d.child.kill("SIGHUP");
    await d.waitEvent("sighup line", (e) => e.event === "sighup");
    const re = await d.waitEvent("reloaded after SIGHUP", (e) => e.event === "reloaded" && e.svc === "hup");
    assert.match(re.message, /added=0 changed=0 removed=0 unchanged=1/);

    const second = await r.run(["daemon", "run"], { timeoutMs: 10_000 });
    assert.notEqual(second.status, 0);
    assert.match(second.stderr, new RegExp(`a daemon is already running for .* \\(pid ${d.pid}\\)`));
    assert.doesNotMatch(second.stderr, /\n\s+at /, "no stack trace");
    assert.equal(d.exit, null, "the first daemon is unaffected");
    await waitRecords(r, "runs after the refused start", (rs) => count(rs, (x) => x.status === "succeeded" && x.startedAt > Date.now() - 1500) >= 1, 10_000, d);
    assert.deepEqual(await d.stop(), { code: 0, signal: null });
  });

  test("daemon start / status / stop round trip", async (t) => {
    const o = setup(t);
    const r = o.root;
    r.writeConf("bg", `[task#1]\ncommand = echo bg\nschedule = ${EVERY_SECOND}\n`);
    const before = await r.run(["daemon", "status"]);
    assert.equal(before.status, 1);
    assert.match(before.stdout, /not running/);
    const start = await r.run(["daemon", "start", "--grace", "1s"]);
    assert.equal(start.status, 0, start.stderr);
    const pid = Number(/daemon started \(pid (\d+)\)/.exec(start.stdout)?.[1]);
    assert.ok(pid > 0, start.stdout);
    o.pids.push({ pid, startTime: processStartTime(pid) });
    assert.ok(isProcessAlive(pid, null));
    const status = await r.run(["daemon", "status", "--format", "json"]);
    assert.equal(status.status, 0, status.stdout);
    const st = JSON.parse(status.stdout) as { running: boolean; pid: number };
    assert.equal(st.running, true);
    assert.equal(st.pid, pid);
    await waitRecords(r, "a run by the background daemon", (rs) => rs.some((x) => x.status === "succeeded"));
    const again = await r.run(["daemon", "start"]);
    assert.notEqual(again.status, 0, "a second start is refused");
    assert.match(again.stderr, /already running/);
    const stop = await r.run(["daemon", "stop"]);
    assert.equal(stop.status, 0, stop.stderr);
    assert.match(stop.stdout, new RegExp(`daemon stopped \\(pid ${pid}\\)`));
    assert.equal(isProcessAlive(pid, null), false);
    const after = await r.run(["daemon", "status"]);
    assert.equal(after.status, 1);
    assert.match(after.stdout, /not running/);
    assert.match(readFileSync(r.path("log", "daemon.log"), "utf8"), /daemon stopped/);
    const pidFile = r.path("var", "daemon.pid");
    if (process.env.SVCMGR_NATIVE === "0") assert.ok(!existsSync(pidFile), "without flock the pid file is removed at stop");
    else assert.equal(readFileSync(pidFile, "utf8"), "", "the flocked pid file is emptied, never removed, at stop");
  });

  test("graceful stop: a long task is aborted after --grace, recorded aborted, no process survives", async (t) => {
    const o = setup(t);
    const r = o.root;
    const m = marked(o);
    r.writeConf("long", `[task#1]\ncommand = sleep 30 ${m} & sleep 30 ${m}; wait\nschedule = ${EVERY_SECOND}\n`);
    const d = startDaemon(o, ["--grace", "1s"]);
    const recs = await waitRecords(r, "the long run", (rs) => rs.some((x) => x.status === "running" && x.pid !== null), 10_000, d);
    const run = recs.find((x) => x.status === "running")!;
    const sleeps = () => processesWith(`sleep 30 ${m}`).filter((p) => /^\d+: sleep /.test(p));
    await waitRecords(r, "both sleeps", () => sleeps().length === 2, 5000);
    const t0 = Date.now();
    const exit = await d.stop("SIGTERM", 10_000);
    const took = Date.now() - t0;
    assert.deepEqual(exit, { code: 0, signal: null }, d.tail());
    assert.ok(took >= 900 && took < 6000, `stopped after ${took} ms`);
    const rec = records(r).find((x) => x.id === run.id)!;
    assert.equal(rec.status, "aborted", `${rec.status} ${rec.reason ?? ""}`);
    assert.notEqual(rec.endedAt, null);
    assert.deepEqual(processesWith(`sleep 30 ${m}`), [], "no process of the task survives");
    assert.ok(d.find("daemon-abort").length === 1, d.tail());
    assert.equal(records(r).filter((x) => x.status === "running").length, 0, "nothing left in flight");
  });

  test("catch-up after a short downtime: the most recent slot runs, the others are missed", async (t) => {
    const o = setup(t);
    const r = o.root;
    r.writeConf("lat", `[task#1]\ncommand = echo lat\nschedule = ${EVERY_SECOND}\ncatchup = latest\n`);
    r.writeConf("non", `[task#1]\ncommand = echo non\nschedule = ${EVERY_SECOND}\ncatchup = none\n`);
    const d1 = startDaemon(o);
    await waitRecords(r, "one run each", (rs) => rs.some((x) => x.svc === "lat" && x.status === "succeeded") && rs.some((x) => x.svc === "non" && x.status === "succeeded"), 10_000, d1);
    await d1.stop();
    const lastBefore = (svc: string) => Math.max(...records(r, { svc }).map((x) => x.scheduledFor!));
    const before = { lat: lastBefore("lat"), non: lastBefore("non") };
    await sleep(3500); // the downtime: three or four slots pass
    const d2 = startDaemon(o);
    const started = await d2.waitEvent("daemon started", (e) => e.event === "daemon-started");
    const restartAt = Date.parse(started.time);
    await waitRecords(r, "runs after the restart", (rs) => ["lat", "non"].every((s) => rs.some((x) => x.svc === s && x.scheduledFor! > restartAt + 1000 && x.status === "succeeded")), 10_000, d2);
    await d2.stop();
    for (const svc of ["lat", "non"] as const) {
      const recs = records(r, { svc });
      assert.deepEqual(duplicateSlots(recs), []);
      const since = recs.filter((x) => x.scheduledFor! > before[svc]).sort((a, b) => a.scheduledFor! - b.scheduledFor!);
      // Every second from the stop on is accounted for, once.
      assert.deepEqual(since.map((x) => x.scheduledFor! - since[0]!.scheduledFor!), since.map((_, i) => i * 1000), `${svc}: one record per second`);
      assert.equal(since[0]!.scheduledFor, before[svc] + 1000);
      const firstRun = since.findIndex((x) => x.status !== "missed");
      const older = since.slice(0, firstRun);
      const latest = since[firstRun]!;
      assert.ok(older.length >= 2, `${svc}: ${older.length} slots missed in the downtime`);
      assert.ok(latest.scheduledFor! <= restartAt + 1000, `${svc}: the first slot run after the restart is ${iso(latest.scheduledFor)}`);
      // The slot due at restart (under a second old) runs on time whatever the policy.
      assert.equal(latest.status, "succeeded", `${svc} latest ${iso(latest.scheduledFor)} ${latest.status}`);
      assert.ok(latest.startedAt - latest.scheduledFor! < 5000, `started ${latest.startedAt - latest.scheduledFor!} ms late`);
      const line = d2.find("started", svc).find((e) => e.slot === iso(latest.scheduledFor));
      assert.doesNotMatch(line?.message ?? "no started line", /catchup|no started line/, "run as on time, not as a catch-up");
      for (const o of older) assert.match(o.reason ?? "", svc === "lat" ? /catchup = latest: superseded/ : /catchup = none/, `${svc} ${iso(o.scheduledFor)}`);
      assert.deepEqual(d2.find("missed", svc).map((e) => e.slot), older.map((o) => iso(o.scheduledFor)), `${svc}: one missed line per missed slot`);
      // Later slots run (a slow machine may overlap two runs: skipped, max_parallel; the stop may cut one).
      const later = since.slice(firstRun).filter((x) => x.status !== "succeeded" && !/daemon stopped|max_parallel/.test(x.reason ?? ""));
      assert.deepEqual(later.map((x) => `${iso(x.scheduledFor)} ${x.status} ${x.reason ?? ""}`), [], `${svc}: every later slot ran`);
    }
  });

  test("catch-up after a long downtime: latest runs the most recent missed slot once, none runs nothing", async (t) => {
    const o = setup(t);
    const r = o.root;
    // A schedule whose last four slots are 2 to 5 minutes old and the slot before them 6 minutes
    // old, recorded as the last run before the downtime.
    const now = Date.now();
    const base = now - (now % 60_000);
    const minuteOf = (ms: number) => new Date(ms).getMinutes();
    const slotsMs = [6, 5, 4, 3, 2].map((k) => base - k * 60_000);
    const cron = `0 ${slotsMs.map(minuteOf).join(",")} * * * *`;
    r.writeConf("lat", `[task#1]\ncommand = echo lat\nschedule = ${cron}\ncatchup = latest\n`);
    r.writeConf("non", `[task#1]\ncommand = echo non\nschedule = ${cron}\ncatchup = none\n`);
    mkdirSync(r.path("var"), { recursive: true });
    const store = openHistory(r.path("var", "history.sqlite"));
    for (const svc of ["lat", "non"]) {
      store.record({ svc, rid: "task#1", trigger: "schedule", scheduledFor: slotsMs[0]!, startedAt: slotsMs[0]!, endedAt: slotsMs[0]! + 5, status: "succeeded", exitCode: 0 });
    }
    store.close();
    const d = startDaemon(o);
    await waitRecords(r, "the catch-up decisions", (rs) => count(rs, (x) => x.status !== "running") >= 2 + 4 + 4, 10_000, d);
    await d.waitEvent("the catch-up run to finish", (e) => e.event === "finished" && e.svc === "lat");
    const lat = records(r, { svc: "lat" });
    const non = records(r, { svc: "non" });
    const show = (rs: RunRecord[]) => rs.map((x) => `${iso(x.scheduledFor)} ${x.status}`);
    assert.deepEqual(show(lat), [
      `${iso(slotsMs[0]!)} succeeded`,
      ...slotsMs.slice(1, 4).map((s) => `${iso(s)} missed`),
      `${iso(slotsMs[4]!)} succeeded`,
    ].sort(), `lat: ${show(lat).join(", ")}`);
    assert.deepEqual(show(non).sort(), [`${iso(slotsMs[0]!)} succeeded`, ...slotsMs.slice(1).map((s) => `${iso(s)} missed`)].sort());
    for (const x of non.slice(1)) assert.match(x.reason ?? "", /catchup = none/);
    const started = d.find("started", "lat");
    assert.equal(started.length, 1);
    assert.match(started[0]!.message, /catchup/, "the log says the run is a catch-up");
    assert.equal(d.find("started", "non").length, 0);
  });

  // task#1 lives 8 s: long enough to still run when the second daemon has started and recovered, even on a busy machine.
  test("kill -9 and restart, orphans = wait: orphans are not started twice, dead runs become interrupted, no slot is duplicated or lost", async (t) => {
    const o = setup(t);
    const r = o.root;
    const m1 = marked(o);
    const m2 = marked(o);
    r.writeConf("node", "[limits]\norphans = wait\n"); // the default, kill, is tested in cgroups.test.ts
    r.writeConf("k", `[task#1]\ncommand = sleep 8 ${m1}\nschedule = ${EVERY_SECOND}\n\n[task#2]\ncommand = sleep 30 ${m2}\nschedule = ${EVERY_SECOND}\n`);
    const d1 = startDaemon(o, ["--grace", "1s"]);
    const running = await waitRecords(r, "both tasks running", (rs) => ["task#1", "task#2"].every((rid) => rs.some((x) => x.rid === rid && x.status === "running" && x.pid !== null)), 10_000, d1);
    const run1 = running.find((x) => x.rid === "task#1" && x.status === "running")!;
    const run2 = running.find((x) => x.rid === "task#2" && x.status === "running")!;
    await d1.stop("SIGKILL");
    assert.equal(processesWith(`sleep 8 ${m1}`).length, 1, "the detached task process survives the daemon");
    process.kill(run2.pid!, "SIGKILL"); // task#2's process is gone before the restart
    await waitRecords(r, "task#2 process gone", () => !isProcessAlive(run2.pid!, run2.pidStartTime), 5000);
    assert.ok(isProcessAlive(run1.pid!, run1.pidStartTime), "task#1 still running at restart");

    const d2 = startDaemon(o, ["--grace", "1s"]);
    const interrupted2 = await d2.waitEvent("task#2 interrupted at once", (e) => e.event === "interrupted" && e.rid === "task#2");
    assert.equal(interrupted2.runId, run2.id);
    const orphan = await d2.waitEvent("task#1 orphaned", (e) => e.event === "orphaned" && e.rid === "task#1");
    assert.equal(orphan.runId, run1.id);
    const rec2 = records(r).find((x) => x.id === run2.id)!;
    assert.equal(rec2.status, "interrupted");
    assert.match(rec2.reason ?? "", /exited while the task ran/);

    // While the orphan lives, each slot of task#1 is skipped, and no second copy starts.
    const restartAt = Date.parse(orphan.time);
    let copies = 0;
    await waitRecords(r, "a max_parallel skip after the restart", (rs) => {
      copies = Math.max(copies, processesWith(`sleep 8 ${m1}`).length);
      return rs.some((x) => x.rid === "task#1" && x.status === "skipped" && x.scheduledFor! > restartAt && x.startedAt < run1.startedAt + 7900);
    }, 10_000, d2);
    assert.equal(copies, 1, "one copy of task#1");
    const skip = records(r).find((x) => x.rid === "task#1" && x.status === "skipped" && x.scheduledFor! > restartAt)!;
    assert.match(skip.reason ?? "", /max_parallel = 1/);
    assert.equal(records(r).find((x) => x.id === run1.id)!.status, "running", "the orphan's record stays in flight while it lives");

    // Once it exits, its record becomes interrupted (exit status unknown) and task#1 runs again.
    const settled = await d2.waitEvent("task#1 orphan settled", (e) => e.event === "interrupted" && e.rid === "task#1", 10_000);
    assert.equal(settled.runId, run1.id);
    const rec1 = records(r).find((x) => x.id === run1.id)!;
    assert.equal(rec1.status, "interrupted");
    assert.ok(rec1.endedAt! - (run1.startedAt + 8000) < 2500, `noticed ${rec1.endedAt! - run1.startedAt} ms after the start`);
    await waitRecords(r, "task#1 running again", (rs) => rs.some((x) => x.rid === "task#1" && x.status === "running" && x.id > run1.id), 10_000, d2);
    await d2.stop("SIGTERM");

    const recs = records(r);
    assert.deepEqual(duplicateSlots(recs), [], "never more than one record per slot");
    // Every slot either daemon started has exactly one final record; none ran twice.
    const startedSlots = [...d1.find("started"), ...d2.find("started")].map((e) => `${e.rid} ${e.slot}`);
    assert.equal(new Set(startedSlots).size, startedSlots.length, "no slot started twice");
    const bySlot = new Map(recs.map((x) => [`${x.rid} ${iso(x.scheduledFor)}`, x]));
    for (const s of startedSlots) {
      const x = bySlot.get(s);
      assert.ok(x !== undefined, `slot ${s} has a record`);
      assert.notEqual(x.status, "running", `slot ${s} is final`);
    }
    for (const x of recs.filter((y) => y.status === "interrupted")) {
      assert.ok(d1.find("started").some((e) => e.rid === x.rid && e.slot === iso(x.scheduledFor)), "interrupted slots were started by the killed daemon");
      assert.ok(!d2.find("started").some((e) => e.rid === x.rid && e.slot === iso(x.scheduledFor)), "and not again by the new one");
    }
    assert.deepEqual(processesWith(m1), [], "no task#1 process left");
    assert.deepEqual(processesWith(m2), [], "no task#2 process left");
  });

  test("retention: at start the daemon prunes beyond --keep-runs per task and past --keep-days, with the pruned runs' output files", async (t) => {
    const o = setup(t);
    const r = o.root;
    r.writeConf("kept", "[task#1]\ncommand = echo kept output\n\n[task#2]\ncommand = echo other task\n");
    for (let i = 0; i < 5; i++) assert.equal((await r.runTasks("kept", ["--rid", "task#1"])).status, 0);
    assert.equal((await r.runTasks("kept", ["--rid", "task#2"])).status, 0);
    const store = openHistory(r.path("var", "history.sqlite"));
    const day = 86_400_000;
    const old = store.record({ svc: "kept", rid: "task#2", trigger: "manual", startedAt: Date.now() - 10 * day, endedAt: Date.now() - 10 * day, status: "succeeded" });
    store.close();
    const before = records(r).filter((x) => x.svc === "kept");
    const task1 = before.filter((x) => x.rid === "task#1").sort((a, b) => a.id - b.id);
    assert.equal(task1.length, 5);
    for (const x of task1) assert.ok(existsSync(x.logFile!), `${x.logFile} written by the run`);

    const d = startDaemon(o, ["--keep-runs", "2", "--keep-days", "7"]);
    // Records go first, then their files: wait for both.
    const pruned = task1.slice(0, 3);
    const after = await waitRecords(r, "task#1 pruned to 2, the 10-day-old record gone, the pruned output files removed", (rs) => {
      const mine = rs.filter((x) => x.svc === "kept");
      return mine.filter((x) => x.rid === "task#1").length === 2 && !mine.some((x) => x.id === old) && pruned.every((x) => !existsSync(x.logFile!));
    }, 10_000, d);
    const kept = after.filter((x) => x.svc === "kept");
    assert.deepEqual(kept.filter((x) => x.rid === "task#1").map((x) => x.id).sort((a, b) => a - b), task1.slice(3).map((x) => x.id), "the newest two of task#1");
    assert.equal(kept.filter((x) => x.rid === "task#2").length, 1, "task#2's recent run is within both limits");
    for (const x of task1.slice(3)) assert.ok(existsSync(x.logFile!), `${x.logFile} kept`);
  });

  test("10 MB of output: bounded excerpt, complete log file, flat daemon memory", async (t) => {
    const o = setup(t);
    const r = o.root;
    const d = startDaemon(o);
    await d.waitEvent("daemon started", (e) => e.event === "daemon-started");
    await sleep(500);
    const baseKb = d.memoryKb();
    // Three runs, two seconds apart, starting 2 s from now (once a minute: only these three here).
    const s0 = new Date(Date.now() + 2000).getSeconds();
    const secs = [s0, (s0 + 2) % 60, (s0 + 4) % 60];
    r.writeConf("big", `[task#1]\ncommand = head -c 10000000 /dev/zero | tr '\\0' x\nschedule = ${secs.join(",")} * * * * *\n`);
    await d.waitEvent("big loaded", (e) => e.event === "reloaded" && e.svc === "big");
    let peakKb = baseKb;
    const recs = await waitRecords(r, "three 10 MB runs", (rs) => {
      peakKb = Math.max(peakKb, d.memoryKb());
      return count(rs, (x) => x.status === "succeeded") >= 3;
    }, 15_000, d);
    const afterKb = d.memoryKb();
    t.diagnostic(`daemon RSS: base ${(baseKb / 1024).toFixed(1)} MiB, peak ${(peakKb / 1024).toFixed(1)} MiB, after ${(afterKb / 1024).toFixed(1)} MiB`);
    for (const x of recs) {
      assert.equal(x.status, "succeeded");
      assert.equal(x.outputBytes, 10_000_000);
      assert.equal(x.stdoutBytes, 10_000_000);
      assert.equal(x.truncated, true);
      const excerpt = Buffer.byteLength(x.outputHead) + Buffer.byteLength(x.outputTail);
      assert.ok(excerpt <= 16 * 1024 && excerpt > 0, `excerpt ${excerpt} bytes`);
      assert.match(x.outputHead, /^x+$/);
      assert.notEqual(x.logFile, null);
      assert.equal(statSync(x.logFile!).size, 10_000_000, "the run log has the whole output");
    }
    const log = readFileSync(recs[0]!.logFile!);
    assert.equal(log.indexOf(0x00), -1);
    assert.equal(log.subarray(0, 10).toString(), "xxxxxxxxxx");
    assert.ok(peakKb - baseKb < 30 * 1024, `RSS grew by ${((peakKb - baseKb) / 1024).toFixed(1)} MiB (peak) during three 10 MB runs`);
    assert.ok(afterKb - baseKb < 30 * 1024, `RSS after: +${((afterKb - baseKb) / 1024).toFixed(1)} MiB`);
  });
});
