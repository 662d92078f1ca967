import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { hasStackTrace, ranRids, rootPerSuite, type CliResult } from "./helpers.js";

/**
 * Design §7: 0 success; 1 a selected task failed, timed out, was refused or its requirements
 * were unmet; 2 usage or configuration error. A user error never prints a stack trace.
 */
describe("exit codes of svcmgr run", { concurrency: 4 }, () => {
  const suite = rootPerSuite("exit");
  const service = (conf: string) => suite.service(conf).name;
  const noTrace = (r: CliResult) => assert.ok(!hasStackTrace(r.stderr), `stack trace in stderr:\n${r.stderr}`);

  test("0: the task succeeds", async () => {
    const r = await suite.root.runTasks(service("[task#0]\ncommand = true\n"));
    assert.equal(r.status, 0, r.stderr);
  });

  test("1: the task exits non-zero", async () => {
    const svc = service("[task#0]\ncommand = sh -c 'exit 3'\n");
    const r = await suite.root.runTasks(svc);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /task#0: error: command exited with code 3/);
    assert.equal(suite.root.lastRun(svc, "task#0")?.exitCode, 3);
    noTrace(r);
  });

  test("1: a failed task stops the tasks after it", async () => {
    const r = await suite.root.runTasks(service("[task#0]\ncommand = false\n\n[task#1]\ncommand = echo ran task#1\n"));
    assert.equal(r.status, 1);
    assert.deepEqual(ranRids(r.stdout), []);
    assert.match(r.stderr, /task#1: error: not run: a previous task failed \(task#0\)/);
  });

  test("1: the task times out", async () => {
    const svc = service("[task#0]\ncommand = sleep 30\ntimeout = 1\n");
    const r = await suite.root.runTasks(svc);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /timed out after/);
    assert.ok(r.ms < 10_000, `took ${r.ms} ms`);
    noTrace(r);
  });

  test("1: confirmation needed and stdin is not a terminal", async () => {
    const r = await suite.root.runTasks(service("[task#0]\ncommand = echo ran task#0\nconfirmation = true\n"));
    assert.equal(r.status, 1);
    assert.deepEqual(ranRids(r.stdout), []);
    assert.match(r.stderr, /--confirm/);
    noTrace(r);
  });

  test("1: requirements unmet on a manual run", async () => {
    const missing = suite.root.path("no-such-dir");
    const r = await suite.root.runTasks(service(`[fs#0]\ntype = directory\npath = ${missing}\n\n[task#0]\ncommand = echo ran task#0\nrun_requires = fs#0(up)\n`));
    assert.equal(r.status, 1);
    assert.deepEqual(ranRids(r.stdout), []);
    assert.match(r.stderr, /requires on resource fs#0 in state up, current state down/);
    noTrace(r);
  });

  test("1: nothing matches the selectors", async () => {
    const r = await suite.root.runTasks(service("[task#0]\ncommand = true\n"), ["--rid", "task#9"]);
    assert.equal(r.status, 1);
    noTrace(r);
  });

  test("0: an optional task fails", async () => {
    const svc = service("[task#0]\ncommand = false\noptional = true\n\n[task#1]\ncommand = echo ran task#1\n");
    const r = await suite.root.runTasks(svc);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /task#0: warning: command exited with code 1/);
    assert.deepEqual(ranRids(r.stdout), ["task#1"], "the failure of an optional task does not stop the next one");
    assert.equal(suite.root.lastRun(svc, "task#0")?.status, "failed");
  });

  test("0: a disabled task does not run", async () => {
    const svc = service("[task#0]\ncommand = echo ran task#0\ndisable = true\n");
    const r = await suite.root.runTasks(svc);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(ranRids(r.stdout), []);
    assert.match(r.stderr, /task#0 disabled/);
    assert.equal(suite.root.lastRun(svc, "task#0"), null);
  });

  test("0: retcodes maps an exit code to up", async () => {
    const r = await suite.root.runTasks(service("[task#0]\ncommand = sh -c 'exit 3'\nretcodes = 3:up 0:down\n"));
    assert.equal(r.status, 0, r.stderr);
  });

  const usage: Array<[string, (svc: string) => string[], RegExp]> = [
    ["an unknown option", (svc) => ["-s", svc, "run", "--bogus"], /Unknown argument: bogus/],
    ["a missing -s", () => ["run"], /needs a service/],
    ["an option without its value", (svc) => ["-s", svc, "run", "--rid"], /rid/],
    ["a malformed --env", (svc) => ["-s", svc, "run", "--env", "NOVALUE"], /--env NOVALUE: expected NAME=value/],
    ["an unknown command", () => ["frobnicate"], /frobnicate/],
    ["a bad --format value", (svc) => ["-s", svc, "print", "status", "--format", "xml"], /format/],
    ["a negative --limit", (svc) => ["-s", svc, "print", "history", "--limit", "-1"], /^svcmgr: --limit -1: expected a whole number 1 or more$/m],
    ["a --limit that is not a number", (svc) => ["-s", svc, "print", "history", "--limit", "ten"], /^svcmgr: --limit ten: expected a whole number 1 or more$/m],
    ["--limit given twice", (svc) => ["-s", svc, "print", "history", "--limit", "2", "--limit", "3"], /^svcmgr: --limit 2,3: expected a whole number/m],
    ["a daemon --keep-runs that is not a number (no daemon starts)", () => ["daemon", "run", "--keep-runs", "abc"], /^svcmgr: --keep-runs abc: expected a whole number 1 or more$/m],
    ["a daemon --max-parallel of 0", () => ["daemon", "run", "--max-parallel", "0"], /^svcmgr: --max-parallel 0: expected a whole number from 1 to 100000$/m],
    ["a schedule --count out of range", () => ["schedule", "next", "@1h", "--count", "10001"], /^svcmgr: --count 10001: expected a whole number from 1 to 10000$/m],
  ];
  for (const [what, args, message] of usage) {
    test(`2: usage error, ${what}`, async () => {
      const svc = service("[task#0]\ncommand = echo ran task#0\n");
      const r = await suite.root.run(args(svc));
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, message);
      assert.deepEqual(ranRids(r.stdout), []);
      noTrace(r);
    });
  }

  test("2: configuration error", async () => {
    const r = await suite.root.runTasks(service("[task#0]\ncommand = echo ran task#0\noptional = maybe\n"));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /invalid configuration/);
    assert.deepEqual(ranRids(r.stdout), []);
    noTrace(r);
  });

  test("2: unknown service", async () => {
    const r = await suite.root.runTasks("no-such-service");
    assert.equal(r.status, 2);
    assert.match(r.stderr, /service no-such-service not found/);
    noTrace(r);
  });

  test("2: a selector glob that matches no service", async () => {
    const r = await suite.root.runTasks("zzz*");
    assert.equal(r.status, 2);
    assert.match(r.stderr, /no service matches "zzz\*"/);
    noTrace(r);
  });
});
