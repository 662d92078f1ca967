/** A manual run whose svcmgr died stays `running` only until the next `run` looks. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { makeRoot, spawnCli, uniqueMarker, waitFor } from "./helpers.js";

test("run makes the manual runs of a dead svcmgr interrupted (both it and the task are gone)", async (t) => {
  const root = makeRoot(t);
  const marker = uniqueMarker();
  root.writeConf("s", `[task#0]\ncommand = sleep ${marker}\n\n[task#1]\ncommand = /bin/true\n`);
  const child = spawnCli(["--root", root.dir, "-s", "s", "run", "--rid", "task#0"]);
  await waitFor("the task's pid in its record", () => root.history("s")[0]?.pid != null, 15_000);
  const rec = root.history("s")[0]!;
  child.kill("SIGKILL");
  process.kill(-rec.pid!, "SIGKILL"); // the task's process group
  await waitFor("the task to be gone", () => {
    try {
      process.kill(rec.pid!, 0);
      return false;
    } catch {
      return true;
    }
  });
  assert.equal(root.history("s")[0]!.status, "running", "stuck until someone looks");
  const r = await root.runTasks("s", ["--rid", "task#1"]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`svcmgr: s task#0: run ${rec.id} recorded as interrupted: svcmgr \\(pid ${child.pid}\\) exited while the task ran`));
  const [old, fresh] = root.history("s");
  assert.equal(old!.status, "interrupted");
  assert.equal(fresh!.status, "succeeded");
});

test("run leaves alone a manual run whose svcmgr is alive", async (t) => {
  const root = makeRoot(t);
  const marker = uniqueMarker();
  root.writeConf("s", `[task#0]\ncommand = sleep ${marker}\n\n[task#1]\ncommand = /bin/true\n`);
  const child = spawnCli(["--root", root.dir, "-s", "s", "run", "--rid", "task#0"]);
  t.after(() => child.kill("SIGTERM"));
  await waitFor("the task's pid in its record", () => root.history("s")[0]?.pid != null, 15_000);
  const r = await root.runTasks("s", ["--rid", "task#1"]);
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /interrupted/);
  assert.equal(root.history("s")[0]!.status, "running");
});
