import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { rootPerSuite } from "./helpers.js";

/** `run --format json`: one entry per selected task on stdout, stable camelCase fields; the tasks' output on stderr. */
describe("run --format json", { concurrency: true }, () => {
  const suite = rootPerSuite("json");
  const FIELDS = ["svc", "rid", "status", "exitCode", "reason", "runId", "record", "plan"].sort();

  interface Entry {
    svc: string;
    rid: string;
    status: string;
    exitCode: number | null;
    reason: string | null;
    runId: number | null;
    record: { id: number; status: string; exitCode: number | null; rid: string } | null;
    plan: { mode: string; argv: string[]; command: string; user: string; cwd: string; env: Record<string, string> } | null;
  }

  test("a record per task: succeeded, failed, and the one not reached after the failure", async () => {
    const { name } = suite.service("[task#0]\ncommand = echo out0\n\n[task#1]\ncommand = sh -c 'echo out1; exit 3'\n\n[task#2]\ncommand = echo out2\n");
    const r = await suite.root.runTasks(name, ["--format", "json"]);
    assert.equal(r.status, 1, r.stderr);
    const entries = JSON.parse(r.stdout) as Entry[];
    assert.deepEqual(entries.map((e) => Object.keys(e).sort()), [FIELDS, FIELDS, FIELDS]);
    assert.deepEqual(entries.map((e) => [e.svc, e.rid, e.status, e.exitCode]), [
      [name, "task#0", "succeeded", 0],
      [name, "task#1", "failed", 3],
      [name, "task#2", "not-run", null],
    ]);
    const history = suite.root.history(name);
    assert.deepEqual(entries.slice(0, 2).map((e) => e.runId), history.map((h) => h.id));
    assert.deepEqual(entries[1]!.record, history[1], "the history record, as print run --format json shows it");
    assert.equal(entries[1]!.reason, "command exited with code 3 (status warn)");
    assert.equal(entries[2]!.reason, "a previous task failed (task#1)");
    assert.equal(entries[2]!.record, null);
    assert.match(r.stderr, /^out0$/m, "the tasks' output goes to stderr");
    assert.match(r.stderr, /^out1$/m);
  });

  test("--dry-run --format json: the plan of each task, with its exact environment; nothing runs", async () => {
    const marker = suite.root.path("json-dry");
    const { name } = suite.service(`[task#0]\ncommand = touch ${marker}\ncwd = /tmp\nenvironment = A=1\n`);
    const r = await suite.root.runTasks(name, ["--dry-run", "--format", "json"], { env: { FOO: "caller" } });
    assert.equal(r.status, 0, r.stderr);
    const [entry] = JSON.parse(r.stdout) as Entry[];
    assert.equal(entry?.status, "dry-run");
    assert.equal(entry.runId, null);
    assert.deepEqual([entry.plan?.mode, entry.plan?.argv, entry.plan?.cwd], ["exec", ["touch", marker], "/tmp"]);
    assert.equal(entry.plan?.env.A, "1");
    assert.equal(entry.plan?.env.PATH, "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    assert.equal(entry.plan?.env.FOO, undefined, "the caller's environment is not the task's");
    assert.ok(!existsSync(marker), "nothing ran");
    assert.equal(suite.root.history(name).length, 0);
  });
});
