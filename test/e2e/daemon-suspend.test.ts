import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import type { RunRecord } from "../../src/core/run-record.js";
import { duplicateSlots, isTask, killAllDaemons, records, setup, startDaemon, waitRecords } from "./daemon-harness.js";
import { hasStackTrace } from "./helpers.js";

/** A CLI call may take long on a loaded machine: killed after 60 s instead of 20. */
const SLOW = { timeoutMs: 60_000 };

/** Suspend / resume of a task's schedule from the CLI: through a running daemon, or by the file when none runs. */
describe("suspend and resume (CLI)", { concurrency: true }, () => {
  after(() => killAllDaemons());

  const EVERY_SECOND = "[task#0]\ncommand = echo tick\nschedule = @1s\ncatchup = all\n\n[task#1]\ncommand = echo other\nschedule = @1s\n";
  const scheduled = (r: RunRecord) => r.rid === "task#0" && r.trigger === "schedule";
  const isSuspendedSkip = (r: RunRecord) => scheduled(r) && r.status === "skipped" && (r.reason ?? "").startsWith("suspended by alice since ");

  test("while the daemon runs: slots are recorded skipped (suspended) at once, nothing runs; resume runs the next slots, none of the skipped ones", async (t) => {
    const o = setup(t);
    const r = o.root;
    r.writeConf("db", EVERY_SECOND);
    const d = startDaemon(o);
    await waitRecords(r, "a first scheduled run", (recs) => recs.some((x) => scheduled(x) && x.status === "succeeded"), 30_000, d);

    const sus = await r.run(["-s", "db", "suspend", "--rid", "task#0", "--reason", "disk swap"], { env: { SUDO_USER: "alice" }, ...SLOW });
    assert.equal(sus.status, 0, sus.stderr);
    assert.match(sus.stdout, /^db task#0: suspended by alice since \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d \(disk swap\)\n$/);
    const state = JSON.parse(readFileSync(r.path("var", "svc", "db", "task#0", "suspended"), "utf8")) as { by: string; at: number; reason: string };
    assert.deepEqual([state.by, state.reason], ["alice", "disk swap"]);
    await d.waitEvent("suspended in the daemon log", (e) => e.event === "suspended" && e.rid === "task#0", 30_000);

    const during = await waitRecords(r, "3 slots skipped as suspended", (recs) => recs.filter(isSuspendedSkip).length >= 3, 30_000, d);
    const mark = during.find((x) => x.rid === "task#0" && x.trigger === "api" && x.status === "skipped");
    assert.ok(mark !== undefined, "the suspension is in the history");
    assert.deepEqual([mark.initiatedBy, mark.reason, mark.scheduledFor], ["alice", "suspended by alice: disk swap", null]);
    assert.equal(during.filter((x) => scheduled(x) && x.status !== "skipped" && x.scheduledFor! > state.at).length, 0, "a slot ran while suspended");
    assert.ok(during.some((x) => x.rid === "task#1" && x.trigger === "schedule" && x.status !== "skipped" && x.startedAt > state.at), "the other task stopped");

    // Shown everywhere while suspended.
    const text = await r.run(["-s", "db", "print", "schedule"], SLOW);
    assert.match(text.stdout, /task#0 .*suspended by alice since \S+ \(disk swap\)/);
    const rows = JSON.parse((await r.run(["-s", "db", "print", "schedule", "--format", "json"], SLOW)).stdout) as Array<{ rid: string; suspended: { by: string; at: string; reason: string } | null }>;
    assert.deepEqual(rows.map((x) => [x.rid, x.suspended?.by ?? null, x.suspended?.reason ?? null]), [["task#0", "alice", "disk swap"], ["task#1", null, null]]);
    const status = await r.run(["-s", "db", "print", "status"], SLOW);
    assert.match(status.stdout, /\|- task#0 .*\[schedule suspended by alice since \S+: disk swap\]\n/, `exit ${status.status} ${status.signal} after ${status.ms} ms: ${status.stderr}`);
    assert.doesNotMatch(status.stdout, /task#1 .*suspended/);
    const sj = JSON.parse((await r.run(["-s", "db", "print", "status", "--format", "json"], SLOW)).stdout) as { resources: Array<{ rid: string; suspended?: { by: string; at: number } | null }> };
    assert.deepEqual(sj.resources.map((x) => [x.rid, x.suspended?.by ?? null]), [["task#0", "alice"], ["task#1", null]]);
    assert.equal(sj.resources[0]!.suspended!.at, state.at);
    const ds = JSON.parse((await r.run(["daemon", "status", "--format", "json"], SLOW)).stdout) as { tasks: number; suspended: number };
    assert.deepEqual([ds.tasks, ds.suspended], [2, 1]);

    const again = await r.run(["-s", "db", "suspend", "--rid", "task#0", "--format", "json"], { env: { SUDO_USER: "bob" }, ...SLOW });
    assert.equal(again.status, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout), [{ service: "db", rid: "task#0", changed: false, suspended: { by: "alice", at: new Date(state.at).toISOString(), reason: "disk swap" } }]);

    const res = await r.run(["-s", "db", "resume", "--rid", "task#0"], { env: { SUDO_USER: "carol" }, ...SLOW });
    assert.equal(res.status, 0, res.stderr);
    assert.equal(res.stdout, "db task#0: resumed: runs on schedule from its next slot\n");
    assert.equal(existsSync(r.path("var", "svc", "db", "task#0", "suspended")), false);
    const resumedAt = Date.now();
    const recs = await waitRecords(r, "2 runs after the resume", (all) => all.filter((x) => scheduled(x) && x.status === "succeeded" && x.scheduledFor! > resumedAt).length >= 2, 30_000, d);
    const back = recs.find((x) => x.rid === "task#0" && x.trigger === "api" && (x.reason ?? "").startsWith("resumed"));
    assert.equal(back?.reason, `resumed by carol (was suspended by alice since ${new Date(state.at).toISOString()}: disk swap)`);
    assert.equal(back?.initiatedBy, "carol");
    const marks = recs.filter((x) => x.rid === "task#0" && x.trigger === "api");
    assert.equal(marks.length, 2, "the second suspend (already suspended) recorded something");
    const ranLate = recs.filter((x) => scheduled(x) && x.status === "succeeded" && x.scheduledFor! > state.at && x.scheduledFor! < back!.startedAt);
    assert.deepEqual(ranLate.map((x) => x.id), [], "a slot skipped while suspended ran after the resume (catch-up flood)");
    assert.deepEqual(duplicateSlots(recs), []);
    await d.waitEvent("resumed in the daemon log", (e) => e.event === "resumed" && e.rid === "task#0", 30_000);
    assert.deepEqual(await d.stop(), { code: 0, signal: null });
  });

  test("with no daemon the state file is written here; a daemon started later, and restarted, keeps the task suspended", async (t) => {
    const o = setup(t);
    const r = o.root;
    r.writeConf("db", EVERY_SECOND);
    const sus = await r.run(["-s", "db", "suspend", "--rid", "task#*", "--reason", "maintenance"], { env: { SUDO_USER: "alice" }, ...SLOW });
    assert.equal(sus.status, 0, sus.stderr);
    assert.match(sus.stdout, /^db task#0: suspended by alice since \S+ \(maintenance\)\ndb task#1: suspended by alice since \S+ \(maintenance\)\n$/);
    const marks = records(r).filter((x) => x.trigger === "manual");
    assert.deepEqual(marks.map((x) => [x.rid, x.status, x.initiatedBy, x.reason]), [["task#0", "skipped", "alice", "suspended by alice: maintenance"], ["task#1", "skipped", "alice", "suspended by alice: maintenance"]]);
    const sched = await r.run(["-s", "db", "print", "schedule"], SLOW);
    assert.match(sched.stdout, /task#0 .*suspended by alice since \S+ \(maintenance\)/);

    const isSkip = (x: RunRecord) => x.rid === "task#0" && x.trigger === "schedule" && x.status === "skipped" && (x.reason ?? "").startsWith("suspended by alice since ");
    let d = startDaemon(o);
    await waitRecords(r, "slots skipped by the first daemon", (recs) => recs.filter(isSkip).length >= 2, 30_000, d);
    assert.deepEqual(await d.stop(), { code: 0, signal: null });
    const before = records(r).filter(isSkip).length;
    d = startDaemon(o);
    await waitRecords(r, "slots skipped after the restart", (recs) => recs.filter(isSkip).length >= before + 2, 30_000, d);
    const all = records(r);
    assert.deepEqual(all.filter((x) => x.trigger === "schedule" && x.status !== "skipped" && x.status !== "missed").map((x) => `${x.rid} ${x.status}`), [], "a suspended task ran");
    assert.deepEqual(duplicateSlots(all), []);
    await d.waitEvent("a skipped line", (e) => e.event === "skipped" && e.reason === "suspended" && /^suspended by alice since \S+: maintenance$/.test(String(e.detail)), 30_000);
    assert.deepEqual(await d.stop(), { code: 0, signal: null });

    const res = await r.run(["-s", "db", "resume", "--rid", "task#0", "--format", "json"], SLOW);
    assert.equal(res.status, 0, res.stderr);
    assert.deepEqual(JSON.parse(res.stdout), [{ service: "db", rid: "task#0", changed: true, suspended: null }]);
    const none = await r.run(["-s", "db", "resume", "--rid", "task#0"], SLOW);
    assert.equal(none.stdout, "db task#0: not suspended\n");
  });

  test("bad use: no task named, an unknown rid, a bad reason: clear errors, nothing changed", async (t) => {
    const o = setup(t);
    const r = o.root;
    r.writeConf("db", EVERY_SECOND);
    const cases: Array<[string[], number, RegExp]> = [
      [["suspend"], 2, /suspend: name the tasks with --rid \(task#0, 'task#\*' for all\) or --tags/],
      [["suspend", "--rid", "task#9"], 1, /db: no resource match the given --rid/],
      [["resume", "--rid", "task#9"], 1, /db: no resource match the given --rid/],
      [["suspend", "--rid", "task#0", "--reason", "two\nlines"], 2, /--reason: one line of text, without control characters/],
      [["suspend", "--rid", "task#0", "--reason", "x".repeat(501)], 2, /--reason: at most 500 characters/],
    ];
    for (const [args, code, err] of cases) {
      const res = await r.run(["-s", "db", ...args], SLOW);
      assert.equal(res.status, code, `${args.join(" ")}: ${res.stderr}`);
      assert.match(res.stderr, err);
      assert.equal(hasStackTrace(res.stderr), false);
    }
    assert.equal(existsSync(r.path("var", "svc", "db", "task#0", "suspended")), false);
    assert.deepEqual(records(r).filter(isTask("db", "task#0")), []);
  });
});
