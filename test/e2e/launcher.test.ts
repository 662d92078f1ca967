/**
 * The `svcmgr` executable loads a CLI bundle through V8's code cache (src/cli/launch.ts):
 * cli-run.cjs for `svcmgr run`, cli.cjs for everything else (src/cli/bundles.ts). These tests
 * check the cache only ever helps: the build ships one per bundle that Node accepts, and a
 * missing or corrupt cache is rebuilt while the command still works; and that a run reads the
 * run bundle alone, while what it does not handle still reaches the full CLI.
 */
import assert from "node:assert/strict";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { baseEnv, REPO } from "./helpers.js";

const DIST = join(REPO, "dist");
const version = (JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { version: string }).version;

function runVersion(dir: string): string {
  const r = spawnSync(process.execPath, [join(dir, "svcmgr.cjs"), "--version"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

/**
 * The launcher and the bundles (all, or `files`), without the caches, in a throw-away package
 * directory whose node_modules and build/ (the addons) are this checkout's. Returns its dist/.
 */
function copyOfDist(t: { after(fn: () => void): void }, files = ["svcmgr.cjs", "cli.cjs", "cli-run.cjs"]): string {
  const pkg = mkdtempSync(join(tmpdir(), "svcmgr-launch-"));
  t.after(() => rmSync(pkg, { recursive: true, force: true }));
  for (const d of ["node_modules", "build"]) symlinkSync(join(REPO, d), join(pkg, d));
  const dir = join(pkg, "dist");
  mkdirSync(dir);
  for (const f of files) copyFileSync(join(DIST, f), join(dir, f));
  return dir;
}

/** A root with service `s` (one task echoing `ran`), removed after the test. */
function serviceRoot(t: { after(fn: () => void): void }): string {
  const root = mkdtempSync(join(tmpdir(), "svcmgr-launch-root-"));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  chmodSync(root, 0o755);
  mkdirSync(join(root, "etc"), { mode: 0o755 });
  writeFileSync(join(root, "etc", "s.conf"), "[task#0]\ncommand = echo ran\n", { mode: 0o644 });
  return root;
}

function svcmgr(dir: string, args: readonly string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [join(dir, "svcmgr.cjs"), ...args], { encoding: "utf8", env: baseEnv() });
}

test("the build ships a code cache per bundle that Node accepts: calls leave them untouched", (t) => {
  const root = serviceRoot(t);
  for (const [bundle, args] of [["cli.cjs", ["--version"]], ["cli-run.cjs", ["--root", root, "-s", "s", "run"]]] as const) {
    const cache = join(DIST, `${bundle}.cache`);
    const before = statSync(cache);
    const r = svcmgr(DIST, args);
    assert.equal(r.status, 0, r.stderr);
    const after = statSync(cache);
    assert.equal(after.mtimeMs, before.mtimeMs, `${bundle}: a rejected cache would have been rewritten`);
    assert.equal(after.ino, before.ino);
  }
});

test("a run reads the run bundle alone: it runs and records without cli.cjs", (t) => {
  const dir = copyOfDist(t, ["svcmgr.cjs", "cli-run.cjs"]);
  const root = serviceRoot(t);
  const run = svcmgr(dir, ["--root", root, "-s", "s", "run", "--rid", "task#0"]);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^ran$/m);
  assert.ok(existsSync(join(dir, "cli-run.cjs.cache")), "the run bundle's cache is written");
  assert.ok(!existsSync(join(dir, "cli.cjs.cache")), "the full bundle was not loaded");
  const history = svcmgr(DIST, ["--root", root, "-s", "s", "print", "history", "--format", "json"]);
  assert.equal((JSON.parse(history.stdout) as Array<{ status: string }>)[0]?.status, "succeeded");
});

test("what the run bundle does not parse goes to the full CLI: help, usage errors", (t) => {
  const dir = copyOfDist(t);
  const root = serviceRoot(t);
  const help = svcmgr(dir, ["run", "--help"]);
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^svcmgr run\b/m);
  assert.match(help.stdout, /--rid/);
  const bad = svcmgr(dir, ["--root", root, "-s", "s", "run", "--rid"]);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^svcmgr: .*rid/m);
  const unknown = svcmgr(dir, ["--root", root, "-s", "s", "run", "--bogus"]);
  assert.equal(unknown.status, 2);
  assert.match(unknown.stderr, /Unknown argument: bogus/);
  assert.ok(existsSync(join(dir, "cli.cjs.cache")), "the full bundle ran, through its own cache");
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

test("a cache made for the bundle at another path is replaced by one made here, then kept", (t) => {
  const dir = copyOfDist(t);
  for (const f of ["cli.cjs.cache", "cli-run.cjs.cache"]) copyFileSync(join(DIST, f), join(dir, f));
  const madeFor = (f: string) => readFileSync(join(dir, f)).toString("utf8").split("\n", 1)[0];
  assert.equal(madeFor("cli.cjs.cache"), join(DIST, "cli.cjs"), "the build's cache names the build tree's bundle");
  assert.equal(runVersion(dir), version);
  assert.equal(madeFor("cli.cjs.cache"), join(dir, "cli.cjs"));
  const written = statSync(join(dir, "cli.cjs.cache")).mtimeMs;
  assert.equal(runVersion(dir), version);
  assert.equal(statSync(join(dir, "cli.cjs.cache")).mtimeMs, written, "the cache made here is accepted");
  assert.equal(madeFor("cli-run.cjs.cache"), join(DIST, "cli-run.cjs"), "a bundle that did not run keeps its cache");
});

test("a corrupt cache is rejected by V8, the command still works, and the cache is replaced", (t) => {
  const dir = copyOfDist(t);
  writeFileSync(join(dir, "cli.cjs.cache"), Buffer.alloc(4096, 7));
  assert.equal(runVersion(dir), version);
  assert.notDeepEqual(readFileSync(join(dir, "cli.cjs.cache")), Buffer.alloc(4096, 7));
});
