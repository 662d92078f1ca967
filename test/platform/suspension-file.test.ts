import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suspensionFiles } from "../../src/platform/suspension-file.js";
import { openHistoryStore } from "../../src/platform/sqlite/history-store.js";
import { changeSuspension } from "../../src/service/suspension.js";

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), "svcmgr-suspend-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe("a task's suspension state file", () => {
  test("written and read back, removed on resume; no file: not suspended", (t) => {
    const dir = tempDir(t);
    const files = suspensionFiles(dir);
    assert.equal(files.read("task#0"), null);
    files.write("task#0", { by: "alice", at: 1_700_000_000_000, reason: null });
    assert.deepEqual(files.read("task#0"), { by: "alice", at: 1_700_000_000_000, reason: null });
    assert.equal(statSync(join(dir, "task#0", "suspended")).mode & 0o777, 0o644);
    files.write("task#0", null);
    assert.equal(existsSync(join(dir, "task#0", "suspended")), false);
    files.write("task#0", null); // resuming twice is no error
  });

  test("a file that cannot be understood still means suspended (by unknown), never a silent run", (t) => {
    const dir = tempDir(t);
    mkdirSync(join(dir, "task#0"));
    for (const text of ["{not json", '{"by": 3, "at": 1}', '{"by": "x", "at": "yesterday", "reason": null}', ""]) {
      writeFileSync(join(dir, "task#0", "suspended"), text);
      const s = suspensionFiles(dir).read("task#0");
      assert.equal(s?.by, "unknown", text);
      assert.match(s!.reason!, /suspended is not valid \(remove it or resume the task\)$/);
    }
  });

  test("a symlink planted at the file's name is not followed", (t) => {
    const dir = tempDir(t);
    mkdirSync(join(dir, "task#0"));
    writeFileSync(join(dir, "target"), JSON.stringify({ by: "mallory", at: 1, reason: null }));
    symlinkSync(join(dir, "target"), join(dir, "task#0", "suspended"));
    assert.equal(suspensionFiles(dir).read("task#0")?.by, "unknown");
  });
});

describe("changeSuspension: the one code path of the CLI and the daemon", () => {
  test("writes the state, then records who and when; the same state again changes and records nothing", async (t) => {
    const dir = tempDir(t);
    const history = openHistoryStore(join(dir, "history.sqlite"));
    t.after(() => history.close());
    const file = suspensionFiles(join(dir, "svc"));
    const deps = (now: number) => ({ file, record: (run: Parameters<typeof history.record>[0]) => history.record(run), now, node: "n1" });
    const change = { suspend: true, by: "alice", reason: "disk swap", trigger: "manual" as const };

    assert.deepEqual(await changeSuspension(deps(1000), "db", "task#0", change), { changed: true, suspended: { by: "alice", at: 1000, reason: "disk swap" } });
    assert.deepEqual(await changeSuspension(deps(2000), "db", "task#0", { ...change, by: "bob" }), { changed: false, suspended: { by: "alice", at: 1000, reason: "disk swap" } });
    assert.deepEqual(await changeSuspension(deps(3000), "db", "task#0", { suspend: false, by: "bob", reason: null, trigger: "api" }), { changed: true, suspended: null });
    assert.deepEqual(await changeSuspension(deps(4000), "db", "task#0", { suspend: false, by: "bob", reason: null, trigger: "api" }), { changed: false, suspended: null });

    const recs = (await history.query({ svc: "db" })).reverse();
    assert.deepEqual(recs.map((r) => [r.trigger, r.status, r.scheduledFor, r.startedAt, r.initiatedBy, r.reason, r.node]), [
      ["manual", "skipped", null, 1000, "alice", "suspended by alice: disk swap", "n1"],
      ["api", "skipped", null, 3000, "bob", "resumed by bob (was suspended by alice since 1970-01-01T00:00:01.000Z: disk swap)", "n1"],
    ]);
    assert.equal(await history.lastScheduled("db", "task#0"), null, "a suspension record moved the schedule");
  });
});
