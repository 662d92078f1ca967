import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { collect, makeRoot, processesWith, spawnCli, uniqueMarker, waitFor, type TestRoot } from "./helpers.js";
import { skipUnlessNative } from "../helpers/require-all.js";

/** Design §5 Timeout and Concurrency: group kill on timeout; max_parallel through run files. */
describe("timeouts and concurrent runs", { concurrency: true }, () => {
  let root: TestRoot;
  before(() => {
    root = makeRoot();
  });
  after(() => root.cleanup());

  test("timeout: exit 1, status timed_out, no process of the task survives", async () => {
    const marker = uniqueMarker();
    root.writeConf("tmo", `[task#0]\ncommand = sh -c 'sleep ${marker} & sleep ${marker}'\ntimeout = 1\n`);
    const r = await root.runTasks("tmo");
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /task#0: error: timed out after 1s/);
    assert.ok(r.ms < 5000, `the CLI returned after ${r.ms} ms`);
    const last = root.lastRun("tmo", "task#0");
    assert.equal(last?.status, "timed_out");
    assert.ok(last.durationMs >= 1000 && last.durationMs < 4000, `durationMs ${last.durationMs}`);
    assert.equal(root.history("tmo").at(-1)?.status, "timed_out");
    assert.deepEqual(processesWith(`sleep ${marker}`), []);
    assert.deepEqual(root.heldRunFiles("tmo", "task#0"), [], "the run file is released");
  });

  test("timeout: a task ignoring SIGTERM gets SIGKILL after the grace period", async () => {
    const marker = uniqueMarker();
    root.writeConf("tmokill", `[task#0]\ncommand = trap '' TERM; sleep ${marker} & trap '' TERM; while :; do sleep 0.2; done\ntimeout = 1\n`);
    const r = await root.runTasks("tmokill");
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /SIGTERM then SIGKILL/);
    assert.equal(root.lastRun("tmokill", "task#0")?.status, "timed_out");
    assert.deepEqual(processesWith(`sleep ${marker}`), []);
  });

  /** A task that holds its run slot until `release` exists (or its 20 s timeout). */
  const holdingService = (name: string, maxParallel?: number) => {
    const release = root.path(`${name}.release`);
    root.writeConf(
      name,
      `[task#0]\ncommand = if [ -n "$HOLD" ]; then while [ ! -e ${release} ]; do sleep 0.05; done; fi; echo done "$HOLD"\n` +
        `timeout = 20\n${maxParallel === undefined ? "" : `max_parallel = ${maxParallel}\n`}`,
    );
    return release;
  };

  for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]] as const) {
    test(`${signal} to run: the running task's group is stopped and recorded aborted, no later task starts, exit ${code}`, async () => {
      const marker = uniqueMarker();
      const svc = `sig${code}`;
      root.writeConf(svc, `[task#0]\ncommand = sh -c 'sleep ${marker} & sleep ${marker}'\n\n[task#1]\ncommand = echo ran task#1\n`);
      const child = spawnCli(["--root", root.dir, "-s", svc, "run"]);
      const done = collect(child);
      try {
        await waitFor("task#0's processes", () => processesWith(`sleep ${marker}`).length >= 2);
      } finally {
        child.kill(signal); // also when the wait failed: the run stops its task either way
      }
      const r = await done;
      assert.equal(r.status, code, r.stderr);
      assert.match(r.stderr, new RegExp(`svcmgr: ${signal}: stopping the running tasks`));
      assert.match(r.stderr, /task#0: error: aborted/);
      assert.match(r.stderr, /task#1: error: not run: interrupted/);
      assert.ok(r.ms < 5000, `the CLI returned after ${r.ms} ms`);
      assert.deepEqual(processesWith(`sleep ${marker}`), [], "no process of the task survives");
      assert.deepEqual(root.history(svc).map((h) => [h.rid, h.status]), [["task#0", "aborted"]], "one record, final; task#1 never started");
      assert.deepEqual(root.heldRunFiles(svc, "task#0"), [], "the run file is released");
    });
  }

  test("max_parallel = 1 (default): a second run while the first runs is refused", async () => {
    const release = holdingService("par1");
    const first = spawnCli(["--root", root.dir, "-s", "par1", "run", "--env", "HOLD=first"]);
    const firstDone = collect(first);
    try {
      await waitFor("the first run's run file", () => root.heldRunFiles("par1", "task#0").length === 1);
      const status = await root.run(["-s", "par1", "print", "status", "--format", "json"]);
      const task = (JSON.parse(status.stdout) as { resources: Array<{ rid: string; running: number }> }).resources.find((x) => x.rid === "task#0");
      assert.equal(task?.running, 1, "print status shows the run");

      const second = await root.runTasks("par1");
      assert.equal(second.status, 1);
      assert.match(second.stderr, /task is already running 1 times/);
      assert.equal(second.stdout, "");
    } finally {
      writeFileSync(release, "");
    }
    const r1 = await firstDone;
    assert.equal(r1.status, 0, r1.stderr);
    assert.equal(r1.stdout, "done first\n");
    assert.deepEqual(root.heldRunFiles("par1", "task#0"), []);
    assert.equal(root.runFiles("par1", "task#0").length, 1, "the refused run created no file; the first run's stays for the next run");
    const records = root.history("par1").map((h) => [h.status, h.reason]);
    assert.deepEqual([...records].sort(), [["skipped", "task is already running 1 times (max_parallel = 1)"], ["succeeded", null]], "the refused run is recorded skipped with its reason");
  });

  test("max_parallel = 2: the second run proceeds", async () => {
    const release = holdingService("par2", 2);
    const first = spawnCli(["--root", root.dir, "-s", "par2", "run", "--env", "HOLD=first"]);
    const firstDone = collect(first);
    try {
      await waitFor("the first run's run file", () => root.heldRunFiles("par2", "task#0").length === 1);
      const second = await root.runTasks("par2");
      assert.equal(second.status, 0, second.stderr);
      assert.equal(second.stdout, "done \n");
      assert.equal(first.exitCode, null, "the second run finished while the first still ran");
    } finally {
      writeFileSync(release, "");
    }
    assert.equal((await firstDone).status, 0);
  });

  test("a stale run file (its process is gone) does not block a run", async () => {
    root.writeConf("stale", "[task#0]\ncommand = echo ran task#0\n");
    const dir = root.runDir("stale", "task#0");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "999999999-dead"), JSON.stringify({ session: "dead", owner: { pid: 999999999, startTime: 1 } }));
    const r = await root.runTasks("stale");
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "ran task#0\n");
    assert.deepEqual(root.runFiles("stale", "task#0"), ["999999999-dead"], "the stale file was taken over, not a new one made");
    assert.deepEqual(root.heldRunFiles("stale", "task#0"), [], "and released");
  });

  test("a run slot locked by a stuck process: the run waits 5 s, then is aborted with the reason and recorded", { skip: skipUnlessNative() }, async () => {
    root.writeConf("stuck", "[task#0]\ncommand = echo ran task#0\n");
    const dir = root.runDir("stuck", "task#0");
    mkdirSync(dir, { recursive: true });
    const holder = spawn("flock", ["--exclusive", dir, "--command", "echo locked; exec sleep 30"], { stdio: ["ignore", "pipe", "inherit"], detached: true });
    try {
      await new Promise<void>((resolve) => holder.stdout.on("data", (c: Buffer) => c.toString().includes("locked") && resolve()));
      const r = await root.runTasks("stuck");
      assert.equal(r.status, 1);
      assert.equal(r.stdout, "", "the command did not run");
      assert.match(r.stderr, /cannot take a run slot: .*task#0\/run is locked by another process for more than 5 s/);
      assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
      assert.ok(r.ms >= 5000, `waited ${r.ms} ms`);
      const [record] = root.history("stuck");
      assert.equal(record?.status, "aborted");
      assert.match(record?.reason ?? "", /cannot take a run slot/);
    } finally {
      process.kill(-holder.pid!, "SIGKILL");
    }
  });
});
