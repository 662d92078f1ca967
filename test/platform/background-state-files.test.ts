import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createBackgroundStateFiles, defaultReplaceFiles, replaceFilesWithNode, type ReplaceFiles } from "../../src/platform/background-state-files.js";
import { nativeAddon } from "../../src/platform/native-addon.js";
import { skipUnlessNative } from "../helpers/require-all.js";

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), "svcmgr-bgstate-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const replacers: Array<[string, ReplaceFiles | null]> = [
  ["native addon", nativeAddon() === null ? null : defaultReplaceFiles()],
  ["Node fs", replaceFilesWithNode],
];

for (const [name, replace] of replacers) describe(`state files replaced through ${name}`, { skip: replace === replaceFilesWithNode ? false : skipUnlessNative() }, () => {
  /** Sizes of the batches handed to `replace`. */
  const batches: number[] = [];
  const counted: ReplaceFiles = (files, done) => {
    batches.push(files.length);
    replace!(files, done);
  };

  test("writes land off the caller's turn, one batch per turn; flush waits for them; the newest content wins", async (t) => {
    batches.length = 0;
    const dir = tempDir(t);
    const errors: string[] = [];
    const files = createBackgroundStateFiles((p, e) => errors.push(`${p}: ${e.message}`), counted);
    const a = join(dir, "svc", "task#0", "last_run");
    const b = join(dir, "svc", "task#1", "last_run");
    for (let i = 0; i < 50; i++) files.write(a, `a ${i}\n`);
    files.write(b, "b 0\n");
    assert.throws(() => readFileSync(a), /ENOENT/, "nothing is written synchronously");
    await files.flush();
    assert.deepEqual(batches, [2], "one batch for the turn, the 50 writes to one path coalesced");
    assert.equal(readFileSync(a, "utf8"), "a 49\n");
    assert.equal(readFileSync(b, "utf8"), "b 0\n");
    assert.deepEqual(readdirSync(join(dir, "svc", "task#0")), ["last_run"], "no temp file is left");
    assert.deepEqual(errors, []);
    await files.flush(); // nothing pending: resolves at once
  });

  test("writes to one path land in order: a reader never sees an older content after a newer one", async (t) => {
    const dir = tempDir(t);
    const path = join(dir, "last_run");
    const files = createBackgroundStateFiles((p, e) => assert.fail(`${p}: ${e.message}`), counted);
    const seen: number[] = [];
    for (let i = 0; i < 200; i++) {
      files.write(path, `${i}\n`);
      await new Promise((r) => setImmediate(r));
      try {
        seen.push(Number(readFileSync(path, "utf8")));
      } catch {
        // not written yet
      }
    }
    await files.flush();
    seen.push(Number(readFileSync(path, "utf8")));
    assert.equal(seen.at(-1), 199);
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! >= seen[i - 1]!, `content went back from ${seen[i - 1]} to ${seen[i]}`);
  });

  test("a failed write is reported and later writes still land (here: a directory where the file should be)", async (t) => {
    const dir = tempDir(t);
    mkdirSync(join(dir, "last_run", "occupied"), { recursive: true });
    const errors: string[] = [];
    const files = createBackgroundStateFiles((p, e) => errors.push(`${p}: ${(e as NodeJS.ErrnoException).code}`), counted);
    files.write(join(dir, "last_run"), "x\n");
    files.write(join(dir, "other"), "y\n");
    await files.flush();
    assert.equal(errors.length, 1);
    assert.match(errors[0]!, /last_run: (EISDIR|ENOTEMPTY|EEXIST)$/);
    assert.equal(readFileSync(join(dir, "other"), "utf8"), "y\n");
    files.write(join(dir, "last_run"), "z\n"); // the path is not stuck
    await files.flush();
    assert.equal(errors.length, 2);
  });
});
