import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { makeRoot, ranRids, type TestRoot } from "./helpers.js";

/** Spec §3, design §5: run_requires on resource states; manual runs fail, --cron runs skip. */
describe("run_requires", { concurrency: 4 }, () => {
  let root: TestRoot;
  before(() => {
    root = makeRoot();
  });
  after(() => root.cleanup());

  const UNMET = "requires on resource fs#0 in state up, current state down";
  const conf = (dir: string, requires = "fs#0(up)") =>
    `[fs#0]\ntype = directory\npath = ${dir}\n\n[task#0]\ncommand = echo ran task#0\nrun_requires = ${requires}\n`;

  test("unmet, manual run: exit 1 with OpenSVC's message, nothing runs, recorded as aborted", async () => {
    root.writeConf("req-manual", conf(root.path("absent-manual")));
    const r = await root.runTasks("req-manual");
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(UNMET));
    assert.deepEqual(ranRids(r.stdout), []);
    const rec = root.history("req-manual");
    assert.equal(rec.length, 1);
    assert.equal(rec[0]!.status, "aborted");
    assert.equal(rec[0]!.reason, UNMET);
    assert.equal(root.lastRun("req-manual", "task#0"), null, "no last_run: the task did not run");
  });

  test("unmet, --cron: exit 0, nothing runs, a skipped record with the reason", async () => {
    root.writeConf("req-cron", conf(root.path("absent-cron")));
    const r = await root.runTasks("req-cron", ["--cron"]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(ranRids(r.stdout), []);
    const rec = root.history("req-cron");
    assert.equal(rec.length, 1);
    assert.equal(rec[0]!.rid, "task#0");
    assert.equal(rec[0]!.status, "skipped");
    assert.equal(rec[0]!.reason, UNMET);
    assert.equal(root.lastRun("req-cron", "task#0"), null);
  });

  test("met: the task runs", async () => {
    const dir = root.path("present");
    mkdirSync(dir);
    root.writeConf("req-met", conf(dir));
    const r = await root.runTasks("req-met");
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(ranRids(r.stdout), ["task#0"]);
  });

  test("states omitted: up (or stdby up) is expected", async () => {
    const dir = root.path("present-default");
    mkdirSync(dir);
    root.writeConf("req-default", conf(dir, "fs#0"));
    assert.deepEqual(ranRids((await root.runTasks("req-default")).stdout), ["task#0"]);
    root.writeConf("req-default-unmet", conf(root.path("absent-default"), "fs#0"));
    const r = await root.runTasks("req-default-unmet");
    assert.equal(r.status, 1);
    assert.match(r.stderr, /requires on resource fs#0 in state up or stdby up, current state down/);
  });

  test("requiring down: met while the directory is absent", async () => {
    root.writeConf("req-down", conf(root.path("absent-down"), "fs#0(down)"));
    const r = await root.runTasks("req-down");
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(ranRids(r.stdout), ["task#0"]);
  });

  test("app resource: its check command decides the state", async () => {
    root.writeConf(
      "req-app",
      "[app#0]\ncheck = true\n\n[app#1]\ncheck = false\n\n" +
        "[task#0]\ncommand = echo ran task#0\nrun_requires = app#0(up)\n\n" +
        "[task#1]\ncommand = echo ran task#1\nrun_requires = app#1(up)\n",
    );
    const ok = await root.runTasks("req-app", ["--rid", "task#0"]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.deepEqual(ranRids(ok.stdout), ["task#0"]);
    const unmet = await root.runTasks("req-app", ["--rid", "task#1"]);
    assert.equal(unmet.status, 1);
    assert.match(unmet.stderr, /requires on resource app#1 in state up, current state down/);
  });

  test("ip resource: an address or a host name configured here is up, one that is not is down", async () => {
    root.writeConf(
      "req-ip",
      "[ip#0]\nipname = 127.0.0.1\n\n[ip#1]\nipname = localhost\n\n[ip#2]\nipname = 192.0.2.77\n\n" +
        "[task#0]\ncommand = echo ran task#0\nrun_requires = ip#0(up) ip#1(up)\n\n" +
        "[task#1]\ncommand = echo ran task#1\nrun_requires = ip#2(up)\n",
    );
    const ok = await root.runTasks("req-ip", ["--rid", "task#0"]);
    assert.equal(ok.status, 0, ok.stderr);
    assert.deepEqual(ranRids(ok.stdout), ["task#0"]);
    const unmet = await root.runTasks("req-ip", ["--rid", "task#1"]);
    assert.equal(unmet.status, 1);
    assert.match(unmet.stderr, /requires on resource ip#2 in state up, current state down/);
    const status = await root.run(["-s", "req-ip", "print", "status", "--format", "json"]);
    assert.equal(status.status, 0, status.stderr);
    assert.match(status.stdout, /192\.0\.2\.77 is not configured/);
  });

  test("--dry-run still checks requirements", async () => {
    root.writeConf("req-dry", conf(root.path("absent-dry")));
    const r = await root.runTasks("req-dry", ["--dry-run"]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(UNMET));
  });
});
