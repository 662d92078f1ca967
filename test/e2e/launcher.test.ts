/**
 * The `svcmgr` executable loads the CLI bundle through V8's code cache (src/cli/launch.ts).
 * These tests check the cache only ever helps: the build ships one that Node accepts, and a
 * missing or corrupt cache is rebuilt while the command still works.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { REPO } from "./helpers.js";

const DIST = join(REPO, "dist");
const version = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version;

function runVersion(dir: string): string {
  const r = spawnSync(process.execPath, [join(dir, "svcmgr.cjs"), "--version"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

/** The launcher and the bundle, without the cache, in a throw-away directory. */
function copyOfDist(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "svcmgr-launch-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const f of ["svcmgr.cjs", "cli.cjs"]) copyFileSync(join(DIST, f), join(dir, f));
  return dir;
}

test("the build ships a code cache that Node accepts: a run leaves it untouched", () => {
  const cache = join(DIST, "cli.cjs.cache");
  const before = statSync(cache);
  assert.equal(runVersion(DIST), version);
  const after = statSync(cache);
  assert.equal(after.mtimeMs, before.mtimeMs, "a rejected cache would have been rewritten");
  assert.equal(after.ino, before.ino);
});

test("without a cache the command works and leaves one for the next call", (t) => {
  const dir = copyOfDist(t);
  assert.equal(runVersion(dir), version);
  assert.ok(existsSync(join(dir, "cli.cjs.cache")));
  assert.ok(statSync(join(dir, "cli.cjs.cache")).size > 1000);
  const written = statSync(join(dir, "cli.cjs.cache")).mtimeMs;
  assert.equal(runVersion(dir), version);
  assert.equal(statSync(join(dir, "cli.cjs.cache")).mtimeMs, written, "the fresh cache is accepted");
});

test("a corrupt cache is rejected by V8, the command still works, and the cache is replaced", (t) => {
  const dir = copyOfDist(t);
  writeFileSync(join(dir, "cli.cjs.cache"), Buffer.alloc(4096, 7));
  assert.equal(runVersion(dir), version);
  assert.notDeepEqual(readFileSync(join(dir, "cli.cjs.cache")), Buffer.alloc(4096, 7));
});
