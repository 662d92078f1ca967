import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { baseEnv, isRoot, REPO, TestRoot } from "./helpers.js";

/**
 * Issue 21: values svcmgr substitutes into a shell command line ({private_var}, {env.x}…) are
 * quoted, so a root path holding `$(…)` or a space is data, never code and never two words.
 */
test("a root path with $(…) and a space: {private_var} in a command is one word, nothing executed", async (t) => {
  const base = mkdtempSync(join(tmpdir(), "svcmgr-quote-"));
  t.after(() => rmSync(base, { recursive: true, force: true }));
  chmodSync(base, 0o755);
  const work = join(base, "work");
  mkdirSync(work, { mode: 0o755 });
  const root = new TestRoot(join(base, "r x$(touch PWNED)"));
  mkdirSync(root.etc, { recursive: true, mode: 0o755 });
  root.writeConf("q", `[task#ls]
command = ls -d {private_var}
cwd = ${work}
blocking_pre_run = mkdir -p {private_var}
[task#sh]
command = echo "in quotes: {private_var}" && echo bare: {private_var}/x && echo 'single: {private_var}'
cwd = ${work}
`);
  const r = await root.runTasks("q");
  assert.equal(r.status, 0, r.stdout + r.stderr);
  const varDir = root.varDir("q");
  assert.match(r.stdout, new RegExp(`^${escape(varDir)}$`, "m"), r.stdout);
  assert.match(r.stdout, new RegExp(`^in quotes: ${escape(varDir)}$`, "m"));
  assert.match(r.stdout, new RegExp(`^bare: ${escape(varDir)}/x$`, "m"));
  assert.match(r.stdout, new RegExp(`^single: ${escape(varDir)}$`, "m"));
  assert.ok(!existsSync(join(work, "PWNED")), "the $(…) in the root path was executed");
});

test("the shipped examples run under a root whose path holds a space", { skip: isRoot ? false : "demo.sh needs root (a task switches to user nobody)" }, (t) => {
  const tmp = mkdtempSync(join(tmpdir(), "svcmgr quote "));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  chmodSync(tmp, 0o755);
  const r = spawnSync("bash", [join(REPO, "conf-examples", "demo.sh")], { cwd: REPO, env: baseEnv({ KEEP: undefined, TMPDIR: tmp }), encoding: "utf8", timeout: 120_000 });
  const out = `${r.stdout}\n${r.stderr}`;
  assert.equal(r.status, 0, out);
  assert.match(out, /root: .*svcmgr quote /);
  assert.match(out, /restored .*appdb-dump-/);
  assert.match(out, /# done/);
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
