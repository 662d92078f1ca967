import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { hostname, tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { isProcessAlive, processStartTime } from "../../src/platform/liveness.js";
import { envOf, makeRoot, type TestRoot } from "./helpers.js";
import { waitRecords } from "./daemon-harness.js";

/** Design §9: one environment and one working directory, whether `run` or the daemon starts the run. */
const RUN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

const me = userInfo();
/** As root, the default cwd is `/`; any other user's is the home. */
const defaultCwd = me.uid === 0 ? "/" : realpathSync(me.homedir);

/** Exactly the variables of a run without `environment`, `--env` or `timezone`. */
const expectedNames = (scheduled: boolean) =>
  [
    "PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG",
    "SVCMGR_SVCNAME", "SVCMGR_SVCPATH", "SVCMGR_NAMESPACE", "SVCMGR_RID", "SVCMGR_SESSION", "SVCMGR_ACTION",
    "SVCMGR_TRIGGER", "SVCMGR_VAR", "SVCMGR_NODENAME", "SVCMGR_RUN_ID", ...(scheduled ? ["SVCMGR_SCHEDULED_FOR"] : []),
  ].sort();

function assertCleanBase(env: Map<string, string>): void {
  assert.equal(env.get("PATH"), RUN_PATH);
  assert.equal(env.get("HOME"), me.homedir);
  assert.equal(env.get("USER"), me.username);
  assert.equal(env.get("LOGNAME"), me.username);
  assert.equal(env.get("SHELL"), me.shell ?? "/bin/sh");
  assert.equal(env.get("LANG"), "C.UTF-8");
  assert.equal(env.get("SVCMGR_NODENAME"), hostname());
}

describe("one environment, wherever the run starts", { concurrency: 4 }, () => {
  let root: TestRoot;
  let elsewhere: string;
  before(() => {
    root = makeRoot();
    elsewhere = mkdtempSync(join(tmpdir(), "svcmgr-cwd-"));
  });
  after(() => {
    root.cleanup();
    rmSync(elsewhere, { recursive: true, force: true });
  });

  /** The caller's environment and cwd that must not reach the task. */
  const callerEnv = { FOO: "bar", PATH: `/caller/bin:${process.env.PATH ?? ""}`, LANG: "fr_FR.UTF-8", LC_ALL: "fr_FR.UTF-8", TZ: "Asia/Tokyo", HOME: "/caller-home" };

  test("run: the caller's environment and cwd never reach the task", async () => {
    root.writeConf("clean", `[task#0]\ncommand = env -0\n\n[task#1]\ncommand = pwd\n`);
    const r = await root.runTasks("clean", [], { env: callerEnv, cwd: elsewhere });
    assert.equal(r.status, 0, r.stderr);
    const end = r.stdout.lastIndexOf("\0") + 1; // task#0's `env -0`, then task#1's `pwd`
    const env = envOf(r.stdout.slice(0, end));
    const pwd = r.stdout.slice(end);
    assert.deepEqual([...env.keys()].sort(), expectedNames(false), "nothing else: no FOO, no PWD, no LC_ALL, no TZ");
    assertCleanBase(env);
    assert.equal(env.get("SVCMGR_TRIGGER"), "manual");
    const records = root.history("clean");
    assert.equal(env.get("SVCMGR_RUN_ID"), String(records.find((x) => x.rid === "task#0")?.id), "the history record's id");
    assert.equal(pwd.trim(), defaultCwd);
    assert.equal(records.every((x) => !x.inheritedEnv), true);
  });

  test("TZ is the task's timezone; environment and --env come last", async () => {
    root.writeConf("tz", `[task#0]\ncommand = env -0\ntimezone = Europe/Paris\nenvironment = PATH=/opt/x:/usr/bin FOO=kw\n`);
    const env = envOf((await root.runTasks("tz", ["--env", "FOO=cli"], { env: callerEnv })).stdout);
    assert.equal(env.get("TZ"), "Europe/Paris");
    assert.equal(env.get("PATH"), "/opt/x:/usr/bin");
    assert.equal(env.get("FOO"), "cli");
  });

  test("LANG is node.conf's [node] lang", async (t) => {
    const own = makeRoot(t);
    own.writeConf("node", "[node]\nlang = fr_FR.UTF-8\n");
    own.writeConf("lang", "[task#0]\ncommand = env -0\n");
    const r = await own.runTasks("lang", [], { env: { LANG: "de_DE.UTF-8" } });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(envOf(r.stdout).get("LANG"), "fr_FR.UTF-8");
  });

  test("--inherit-env: the caller's environment, recorded with the run", async () => {
    root.writeConf("inherit", `[task#0]\ncommand = env -0\n`);
    const r = await root.runTasks("inherit", ["--inherit-env"], { env: callerEnv });
    assert.equal(r.status, 0, r.stderr);
    const env = envOf(r.stdout);
    assert.equal(env.get("FOO"), "bar");
    assert.equal(env.get("PATH"), callerEnv.PATH);
    assert.equal(env.get("SVCMGR_RID"), "task#0");
    const record = root.history("inherit").at(-1)!;
    assert.equal(record.inheritedEnv, true);
    const shown = await root.run(["-s", "inherit", "print", "run", String(record.id)]);
    assert.match(shown.stdout, /environment +svcmgr's own, inherited \(--inherit-env\)/);
  });

  test("on_error gets the failed run's exit code, status, record id and output file", async () => {
    const out = root.path("onerror.env");
    root.writeConf("onerr", `[task#0]\ncommand = sh -c 'echo some output; exit 3'\non_error = env -0 > ${out}\n`);
    const r = await root.runTasks("onerr");
    assert.equal(r.status, 1, r.stderr);
    const env = envOf(readFileSync(out, "utf8"));
    const record = root.history("onerr").at(-1)!;
    assert.equal(env.get("SVCMGR_EXIT_CODE"), "3");
    assert.equal(env.get("SVCMGR_STATUS"), "failed");
    assert.equal(env.get("SVCMGR_RUN_ID"), String(record.id));
    assert.equal(env.get("SVCMGR_LOG"), record.logFile);
    assert.equal(readFileSync(record.logFile!, "utf8"), "some output\n");
    assert.equal(env.get("PATH"), RUN_PATH, "on_error has the run's environment too");
  });

  test("on_error after a timeout: it still runs, past the deadline, and is told timed_out without an exit code", async () => {
    const out = root.path("ontimeout.env");
    root.writeConf("ontmo", `[task#0]\ncommand = sleep 30\ntimeout = 1\non_error = sh -c 'sleep 0.5; env -0 > ${out}'\n`);
    const r = await root.runTasks("ontmo");
    assert.equal(r.status, 1, r.stderr);
    const env = envOf(readFileSync(out, "utf8"));
    assert.equal(env.get("SVCMGR_STATUS"), "timed_out");
    assert.equal(env.has("SVCMGR_EXIT_CODE"), false);
    assert.equal(root.history("ontmo").at(-1)?.status, "timed_out");
  });

  test("daemon start: the daemon leaves the shell's cwd and its tasks get the same environment as run, plus the slot", async (t) => {
    const droot = makeRoot(t);
    const out = droot.path("task.env");
    const pwdFile = droot.path("task.pwd");
    droot.writeConf("sched", `[task#0]\ncommand = sh -c 'env -0 > ${out}.tmp; pwd > ${pwdFile}; mv ${out}.tmp ${out}'\nschedule = @1s\n`);
    const start = await droot.run(["daemon", "start", "--grace", "1s"], { env: callerEnv, cwd: elsewhere });
    assert.equal(start.status, 0, start.stderr);
    const pid = Number(/daemon started \(pid (\d+)\)/.exec(start.stdout)?.[1]);
    const startTime = processStartTime(pid);
    t.after(() => {
      if (isProcessAlive(pid, startTime)) process.kill(pid, "SIGKILL");
    });
    assert.equal(realpathSync(`/proc/${pid}/cwd`), "/", "the daemon does not hold the directory it was started from");
    const [record] = await waitRecords(droot, "a scheduled run", (rs) => rs.some((x) => x.status === "succeeded") && existsSync(out), 15_000);
    assert.equal((await droot.run(["daemon", "stop"])).status, 0);
    const env = envOf(readFileSync(out, "utf8"));
    assert.deepEqual([...env.keys()].filter((k) => k !== "PWD").sort(), expectedNames(true), "the same variables as a manual run, and the slot");
    assertCleanBase(env);
    assert.equal(env.get("SVCMGR_TRIGGER"), "schedule");
    const run = droot.history("sched").find((x) => String(x.id) === env.get("SVCMGR_RUN_ID"));
    assert.ok(run !== undefined, `SVCMGR_RUN_ID ${env.get("SVCMGR_RUN_ID")} names a record`);
    assert.equal(env.get("SVCMGR_SCHEDULED_FOR"), new Date(run.scheduledFor!).toISOString().replace(/\.000Z$/, "Z"));
    assert.equal(readFileSync(pwdFile, "utf8").trim(), defaultCwd);
    assert.ok(record !== undefined);
  });
});
