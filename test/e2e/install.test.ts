import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { baseEnv, REPO } from "./helpers.js";

/**
 * The README's installation, end to end: the packed tarball installed globally into a
 * temporary prefix gives a `svcmgr` command that runs tasks, and man pages where man finds
 * them. Offline: the runtime dependencies are bundled in the tarball.
 *
 * Two steps differ from the README's `npm install -g ./svcmgr-*.tgz`, to keep the suite short
 * and to leave the shared dist/ alone while other tests run: `npm pack --ignore-scripts` packs
 * the dist/ that `npm test` built (a plain `npm pack` rebuilds it first), and the install skips
 * the bundled SQLite driver's compilation: the addon that `npm ci` compiled on this machine is
 * copied where that compilation would put it (the tarball holds the driver's sources, and its
 * build/ too when npm packed the installed directory as it is). svcmgr's own addon is then built
 * by its install script, as a plain install does.
 */
function npm(args: readonly string[], cwd: string, env: Record<string, string | undefined> = {}): SpawnSyncReturns<string> {
  return spawnSync("npm", [...args], { cwd, env: baseEnv({ npm_config_update_notifier: "false", npm_config_fund: "false", npm_config_audit: "false", ...env }), encoding: "utf8", timeout: 240_000 });
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  assert.equal(r.status, 0, `${what}: exit ${r.status} ${r.signal ?? ""}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

test("npm pack + npm install -g --prefix DIR: DIR/bin/svcmgr runs a task, man pages under DIR/share/man", { timeout: 600_000 }, (t) => {
  const work = mkdtempSync(join(tmpdir(), "svcmgr-install-"));
  t.after(() => rmSync(work, { recursive: true, force: true }));
  chmodSync(work, 0o755);
  const packed = ok(npm(["pack", "--ignore-scripts", "--pack-destination", work, "--json"], REPO), "npm pack");
  const tarball = join(work, (JSON.parse(packed) as Array<{ filename: string }>)[0]!.filename);
  const prefix = join(work, "prefix");
  ok(npm(["install", "-g", "--prefix", prefix, "--offline", "--ignore-scripts", tarball], work), "npm install -g");
  const pkg = join(prefix, "lib", "node_modules", "svcmgr");
  const sqliteAddon = join("node_modules", "better-sqlite3", "build", "Release", "better_sqlite3.node");
  // Whether the tarball holds an addon at all depends on npm: with a valid hidden lockfile
  // (node_modules/.package-lock.json, as a fresh `npm ci` leaves it) npm packs the bundled
  // driver's whole directory, build/ included, instead of its published files. Either way the
  // addon compiled for this machine is the one put in place.
  mkdirSync(dirname(join(pkg, sqliteAddon)), { recursive: true });
  copyFileSync(join(REPO, sqliteAddon), join(pkg, sqliteAddon));
  ok(npm(["run", "install"], pkg), "the package's install script (its native addon)");
  assert.ok(existsSync(join(pkg, "build", "Release", "svcmgr_native.node")), "the native addon is built in the installed package");

  const bin = join(prefix, "bin", "svcmgr");
  assert.equal(realpathSync(bin), join(pkg, "dist", "svcmgr.cjs"));
  const version = spawnSync(bin, ["--version"], { encoding: "utf8", env: baseEnv() });
  assert.equal(version.status, 0, version.stderr);
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);

  const root = join(work, "root");
  mkdirSync(join(root, "etc"), { recursive: true, mode: 0o755 });
  writeFileSync(join(root, "etc", "hello.conf"), "[task#0]\ncommand = echo hello from {name}\n", { mode: 0o644 });
  const run = spawnSync(bin, ["--root", root, "-s", "hello", "run"], { encoding: "utf8", env: baseEnv() });
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /^hello from hello$/m);
  const history = spawnSync(bin, ["--root", root, "-s", "hello", "print", "history", "--format", "json"], { encoding: "utf8", env: baseEnv() });
  assert.equal((JSON.parse(history.stdout) as Array<{ status: string }>)[0]?.status, "succeeded", "the bundled SQLite driver records the run");

  const man = join(prefix, "share", "man");
  assert.deepEqual(readdirSync(join(man, "man1")), ["svcmgr.1"]);
  assert.deepEqual(readdirSync(join(man, "man5")), ["svcmgr.conf.5"]);
  const page = spawnSync("man", ["-M", man, "-P", "cat", "svcmgr"], { encoding: "utf8", env: baseEnv({ MANWIDTH: "80" }) });
  if ((page.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") return; // no man(1) on this host: the files above are what it would read
  assert.equal(page.status, 0, page.stderr);
  assert.match(page.stdout, /svcmgr - run the tasks of services/);
});
