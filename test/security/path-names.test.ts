import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { hasStackTrace, ranRids, rootPerSuite } from "../e2e/helpers.js";

/**
 * Issue 21: a rid or a service name becomes a directory name under the var and log dirs. One
 * that could climb out of them (`[task#/../../../../x]`) is refused by validation, with
 * file:line, the section and what is allowed, and nothing is written anywhere.
 */
describe("names that become paths", { concurrency: 4 }, () => {
  const suite = rootPerSuite("names");

  for (const rid of ["task#/../../../../escaped", "task#..", "task#a/b", "task#a b", "task#-x", `task#${"x".repeat(65)}`]) {
    test(`[${rid}] is refused by validate config and run (exit 2), nothing written`, async () => {
      const { name, file } = suite.service(`[task#0]\ncommand = echo ran task#0\n\n[${rid}]\ncommand = echo ran ${rid}\n`);
      const validate = await suite.root.run(["-s", name, "validate", "config"]);
      assert.equal(validate.status, 2, validate.stdout + validate.stderr);
      const line = `${file}:4: [${rid}]: error: bad resource id`;
      assert.ok(validate.stdout.includes(line), `expected ${JSON.stringify(line)} in:\n${validate.stdout}`);
      assert.match(validate.stdout, /allowed: 1 to 64 letters, digits, '_', '-' or '\.', starting with a letter, digit or '_'/);
      const run = await suite.root.runTasks(name);
      assert.equal(run.status, 2, run.stdout + run.stderr);
      assert.ok(!hasStackTrace(run.stderr), run.stderr);
      assert.ok(run.stderr.includes(line), run.stderr);
      assert.deepEqual(ranRids(run.stdout), []);
      assert.ok(!existsSync(suite.root.path("escaped")), "nothing written outside the var and log dirs");
      assert.ok(!existsSync(join(suite.root.dir, "var", "svc", name)), "no var dir for a refused service");
    });
  }

  test("ordinary rids are accepted: task#0, task#backup-1.daily, task#_x", async () => {
    const { name } = suite.service("[task#0]\ncommand = echo ran task#0\n\n[task#backup-1.daily]\ncommand = echo ran task#backup-1.daily\n\n[task#_x]\ncommand = echo ran task#_x\n");
    const r = await suite.root.runTasks(name);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(ranRids(r.stdout), ["task#0", "task#_x", "task#backup-1.daily"]);
    assert.deepEqual(readdirSync(join(suite.root.varDir(name))).sort(), ["task#0", "task#_x", "task#backup-1.daily"]);
  });

  for (const selector of ["../../escaped", "a/b/c/d", "svc/..", "ns/svc/../x"]) {
    test(`-s ${selector} is a usage error naming what a service name allows`, async () => {
      const r = await suite.root.run(["-s", selector, "run"]);
      assert.equal(r.status, 2, r.stdout + r.stderr);
      assert.ok(!hasStackTrace(r.stderr), r.stderr);
      assert.match(r.stderr, /invalid object path/);
      assert.ok(!existsSync(suite.root.path("escaped")));
    });
  }
});
