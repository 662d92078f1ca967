/**
 * svcmgr's standard error goes out with write(2) until Node's stream for it is built
 * (platform/std-output.ts): a run that only reports its tasks never loads the stream and net
 * modules. These tests check the behaviour stays that of the stream: lines in order, on a
 * terminal or a pipe, and a reader that is gone costs nothing but the lines.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { test } from "node:test";
import { CLI, baseEnv, hasStackTrace, makeRoot } from "./helpers.js";

test("svcmgr's own lines and the task's stderr arrive in order on one pipe", async (t) => {
  const root = makeRoot(t);
  root.writeConf("s", '[task#0]\ncommand = sh -c "echo first >&2; echo out; echo second >&2"\n[task#1]\ncommand = /bin/true\n');
  const r = await root.runTasks("s");
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stderr.trimEnd().split("\n");
  assert.match(lines[0]!, /^s task#0: command: /);
  assert.deepEqual(lines.slice(1, 3), ["first", "second"]);
  assert.match(lines[3]!, /^s task#0: command exited with code 0/);
  assert.match(lines[4]!, /^s task#1: command: /);
  assert.match(lines[5]!, /^s task#1: command exited with code 0/);
  assert.equal(lines.length, 6, r.stderr);
  assert.equal(r.stdout, "out\n");
});

test("a stderr reader gone before the first line: the run finishes, exits 0 and is recorded", async (t) => {
  const root = makeRoot(t);
  root.writeConf("s", "[task#0]\ncommand = /bin/true\n[task#1]\ncommand = sh -c 'echo to-stderr >&2'\n");
  const child = spawn(process.execPath, [CLI, "--root", root.dir, "-s", "s", "run"], { env: baseEnv(), stdio: ["ignore", "pipe", "pipe"] });
  child.stderr.destroy(); // closes the only read end: svcmgr's first write meets EPIPE
  let stdout = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  const [code, signal] = await new Promise<[number | null, string | null]>((resolve) => child.once("exit", (c, s) => resolve([c, s])));
  assert.deepEqual([code, signal], [0, null], stdout);
  assert.equal(hasStackTrace(stdout), false);
  assert.deepEqual(root.history("s").map((r) => [r.rid, r.status]).sort(), [["task#0", "succeeded"], ["task#1", "succeeded"]]);
});
