import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { envOf, makeRoot, type TestRoot } from "./helpers.js";

/** Design §5 Environment: the svcmgr variables, then `environment`, then `--env`. */
describe("task environment", { concurrency: 4 }, () => {
  let root: TestRoot;
  before(() => {
    root = makeRoot();
  });
  after(() => root.cleanup());

  test("svcmgr variables, environment keyword and --env reach the task", async () => {
    root.writeConf("envsvc", `[task#3]\ncommand = env -0\nenvironment = FOO=bar BAZ="a b"\n`);
    const r = await root.runTasks("envsvc", ["--env", "X=1", "--env", "FOO=from-cli"]);
    assert.equal(r.status, 0, r.stderr);
    const env = envOf(r.stdout);
    assert.equal(env.get("SVCMGR_SVCNAME"), "envsvc");
    assert.equal(env.get("SVCMGR_SVCPATH"), "envsvc");
    assert.equal(env.get("SVCMGR_RID"), "task#3");
    assert.equal(env.get("SVCMGR_ACTION"), "run");
    assert.equal(env.get("SVCMGR_TRIGGER"), "manual");
    assert.equal(env.get("SVCMGR_VAR"), root.varDir("envsvc"));
    assert.match(env.get("SVCMGR_SESSION") ?? "", /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(env.get("BAZ"), "a b");
    assert.equal(env.get("X"), "1");
    assert.equal(env.get("FOO"), "from-cli", "--env comes after the environment keyword");
    assert.equal(root.lastRun("envsvc", "task#3")?.session, env.get("SVCMGR_SESSION"), "the session is the run's");
  });

  test("the environment keyword alone", async () => {
    root.writeConf("envkw", `[task#0]\ncommand = env -0\nenvironment = FOO=bar BAZ="a b"\n`);
    const r = await root.runTasks("envkw");
    assert.equal(r.status, 0, r.stderr);
    const env = envOf(r.stdout);
    assert.equal(env.get("FOO"), "bar");
    assert.equal(env.get("BAZ"), "a b");
  });

  test("tasks of one run share the session, and each sees its own rid", async () => {
    root.writeConf("envtwo", `[task#0]\ncommand = echo "$SVCMGR_RID $SVCMGR_SESSION"\n\n[task#1]\ncommand = echo "$SVCMGR_RID $SVCMGR_SESSION"\n`);
    const r = await root.runTasks("envtwo");
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split("\n").map((l) => l.split(" "));
    assert.deepEqual(lines.map((l) => l[0]), ["task#0", "task#1"]);
    assert.equal(lines[0]![1], lines[1]![1]);
    assert.ok(lines[0]![1]!.length > 0);
  });
});
