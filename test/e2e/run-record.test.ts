import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { collect, processesWith, rootPerSuite, spawnCli, uniqueMarker, waitFor } from "./helpers.js";

/** Design §9: the record's status is the whole run's, and `timeout` is one deadline for the run, triggers included. */
describe("the record tells the truth", { concurrency: true }, () => {
  const suite = rootPerSuite("rec");

  /** The task's status in `print status --format json`. */
  const taskStatus = async (svc: string, rid: string) => {
    const r = await suite.root.run(["-s", svc, "print", "status", "--format", "json"]);
    return (JSON.parse(r.stdout) as { resources: Array<{ rid: string; status: string }> }).resources.find((x) => x.rid === rid)?.status;
  };

  test("a failing blocking_post_run: exit 1, the record failed naming the trigger, check = last_run says down", async () => {
    const { name } = suite.service("[task#0]\ncommand = echo ran\nblocking_post_run = false\ncheck = last_run\n");
    const r = await suite.root.runTasks(name);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stdout, "ran\n");
    const record = suite.root.history(name).at(-1)!;
    assert.equal(record.status, "failed");
    assert.equal(record.exitCode, 0, "the command itself exited 0");
    assert.equal(record.reason, "blocking_post_run failed [exit code 1]");
    assert.equal(suite.root.lastRun(name, "task#0")?.status, "failed");
    assert.equal(await taskStatus(name, "task#0"), "down");
  });

  test("check = last_run after a timed-out run says down (the run has no exit code)", async () => {
    const { name } = suite.service("[task#0]\ncommand = sleep 30\ntimeout = 1\ncheck = last_run\n");
    assert.equal((await suite.root.runTasks(name)).status, 1);
    assert.equal(suite.root.lastRun(name, "task#0")?.status, "timed_out");
    assert.equal(await taskStatus(name, "task#0"), "down");
  });

  test("a failing blocking_pre_run: the command does not run, the record is failed naming the trigger", async () => {
    const { name } = suite.service("[task#0]\ncommand = echo ran\nblocking_pre_run = sh -c 'exit 4'\n");
    const r = await suite.root.runTasks(name);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stdout, "");
    const record = suite.root.history(name).at(-1)!;
    assert.equal(record.status, "failed");
    assert.equal(record.reason, "blocking_pre_run failed [exit code 4]");
  });

  test("a failing non-blocking post_run only warns", async () => {
    const { name } = suite.service("[task#0]\ncommand = echo ran\npost_run = false\n");
    const r = await suite.root.runTasks(name);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /warning: post_run: non-blocking error \[exit code 1\]/);
    assert.equal(suite.root.history(name).at(-1)?.status, "succeeded");
  });

  test("one deadline: time spent in pre_run counts against the task's timeout", async () => {
    const { name } = suite.service("[task#0]\ncommand = sleep 1.6\npre_run = sleep 1.6\ntimeout = 2\n");
    const r = await suite.root.runTasks(name);
    assert.equal(r.status, 1, r.stderr);
    const record = suite.root.history(name).at(-1)!;
    assert.equal(record.status, "timed_out");
    assert.match(record.reason ?? "", /^timed out after 2s/);
    assert.ok(record.durationMs! >= 2000, `the run took ${record.durationMs} ms`);
    // The command is stopped at the run's deadline (not 2 s after its own start), or, on a very
    // slow machine where pre_run alone took 2 s, never started.
    assert.match(record.reason ?? "", /^timed out after 2s(: the process group got SIGTERM|: the command was not started)$/);
  });

  test("one deadline: a blocking_post_run still running at the deadline times the run out, naming the trigger", async () => {
    const { name } = suite.service("[task#0]\ncommand = echo ran\nblocking_post_run = sleep 30\ntimeout = 3\n");
    const r = await suite.root.runTasks(name);
    assert.equal(r.status, 1, r.stderr);
    const record = suite.root.history(name).at(-1)!;
    assert.equal(record.status, "timed_out");
    // Killed at the deadline, or (on a very slow machine) not started because the deadline had passed.
    assert.match(record.reason ?? "", /^timed out after 3s( in blocking_post_run: the process group got SIGTERM|: blocking_post_run not run)$/);
    assert.ok(r.ms < 15_000, `the CLI returned after ${r.ms} ms, not after the trigger's 30 s`);
  });

  test("Ctrl-C during pre_run stops the trigger's process group; the run is recorded aborted and its command never starts", async () => {
    const marker = uniqueMarker();
    const { name } = suite.service(`[task#0]\ncommand = echo ran\npre_run = sleep ${marker}\n`);
    const child = spawnCli(["--root", suite.root.dir, "-s", name, "run"]);
    const done = collect(child);
    try {
      await waitFor("the pre_run process", () => processesWith(`sleep ${marker}`).length === 1);
    } finally {
      child.kill("SIGINT");
    }
    const r = await done;
    assert.equal(r.status, 130, r.stderr);
    assert.equal(r.stdout, "");
    const record = suite.root.history(name).at(-1)!;
    assert.equal(record.status, "aborted");
    assert.equal(record.reason, "aborted in pre_run: its process group was killed");
    assert.deepEqual(processesWith(`sleep ${marker}`), []);
  });

  test("timeout = 0 is no limit, triggers included", async () => {
    const { name } = suite.service("[task#0]\ncommand = echo ran\npre_run = true\ntimeout = 0\n");
    const r = await suite.root.runTasks(name);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "ran\n");
    assert.equal(suite.root.history(name).at(-1)?.status, "succeeded");
  });

  test("a timeout that needed SIGKILL says so, even when the group leader died of SIGTERM", async () => {
    const marker = uniqueMarker();
    const { name } = suite.service(`[task#0]\ncommand = (trap '' TERM; exec sleep ${marker}) & sleep ${marker}; wait\ntimeout = 1\n`);
    const r = await suite.root.runTasks(name);
    assert.equal(r.status, 1, r.stderr);
    const record = suite.root.history(name).at(-1)!;
    assert.equal(record.status, "timed_out");
    assert.equal(record.reason, "timed out after 1s: the process group got SIGTERM then SIGKILL");
    assert.deepEqual(processesWith(`sleep ${marker}`), []);
  });
});
