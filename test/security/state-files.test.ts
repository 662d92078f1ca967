import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { baseEnv, CLI, collect, hasStackTrace, isRoot, makeRoot, ranRids, TestRoot, type CliResult } from "../e2e/helpers.js";
import { asUser, createUser } from "./users.js";

/**
 * Issue 21: the var and log trees were trusted blindly. Under a `--root` a user owns, or with
 * root's umask at 000 (directories 0777, run files 0666), a user could plant symlinks there and
 * make root's `run` overwrite a 0600 root file with task output, or forge a run file that
 * blocks a task forever. Now: explicit modes whatever the umask, a tree another user can
 * write is refused (exit 2), no file is opened through a symlink, and a root svcmgr trusts
 * only run files root owns.
 */
describe("var and log trees", { concurrency: 4 }, () => {
  /** `svcmgr ARGS` with umask 000. */
  function withUmask000(args: readonly string[]): Promise<CliResult> {
    const child = spawn("sh", ["-c", 'umask 000; exec "$@"', "sh", process.execPath, CLI, ...args], { env: baseEnv(), stdio: ["ignore", "pipe", "pipe"] });
    return collect(child);
  }

  /** Every file and directory under `dir` that a group or other users can write. */
  function writableByOthers(dir: string): string[] {
    const found: string[] = [];
    const walk = (p: string) => {
      const st = lstatSync(p);
      if (!st.isSymbolicLink() && st.mode & 0o022) found.push(`${p} ${(st.mode & 0o7777).toString(8)}`);
      if (st.isDirectory()) for (const name of readdirSync(p)) walk(join(p, name));
    };
    walk(dir);
    return found;
  }

  test("with umask 000, nothing svcmgr creates is writable by others (run files, logs, last_run, history)", async (t) => {
    const root = makeRoot(t);
    root.writeConf("masked", "[task#0]\ncommand = echo ran task#0\nmax_parallel = 2\n");
    const r = await withUmask000(["--root", root.dir, "-s", "masked", "run"]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(ranRids(r.stdout), ["task#0"]);
    assert.ok(root.runFiles("masked", "task#0").length > 0, "a run file was made");
    assert.ok(existsSync(root.path("log", "runs", "masked", "task#0", "1.log")), "a run log was made");
    assert.deepEqual([...writableByOthers(root.path("var")), ...writableByOthers(root.path("log"))], []);
  });

  test("log names that are symlinks are never written through: the run log (a warning) and the service log (run refused, exit 2)", { skip: !isRoot && "needs root" }, async (t) => {
    const root = makeRoot(t);
    root.writeConf("linked", "[task#0]\ncommand = echo task output\n");
    const secret = join(root.dir, "secret");
    writeFileSync(secret, "root only\n", { mode: 0o600 });
    const dir = root.path("log", "runs", "linked", "task#0");
    mkdirSync(dir, { recursive: true, mode: 0o750 });
    symlinkSync(secret, join(dir, "1.log"));
    symlinkSync(secret, root.path("log", "linked.log"));
    const refused = await root.runTasks("linked");
    assert.equal(refused.status, 2, refused.stdout + refused.stderr);
    assert.ok(refused.stderr.includes(`refusing to write ${root.path("log", "linked.log")}: it is a symlink`), refused.stderr);
    assert.deepEqual(ranRids(refused.stdout), []);
    rmSync(root.path("log", "linked.log"));
    const r = await root.runTasks("linked");
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!hasStackTrace(r.stderr), r.stderr);
    assert.match(r.stderr, /run log .*1\.log: ELOOP/);
    assert.equal(readFileSync(secret, "utf8"), "root only\n", "the linked file is untouched");
    assert.ok(lstatSync(join(dir, "1.log")).isSymbolicLink());
  });

  test("a history database name that is a symlink is not opened through (exit 2, the file untouched)", { skip: !isRoot && "needs root" }, async (t) => {
    const root = makeRoot(t);
    root.writeConf("db", "[task#0]\ncommand = echo ran task#0\n");
    const empty = join(root.dir, "empty");
    writeFileSync(empty, "", { mode: 0o600 });
    mkdirSync(root.path("var"), { mode: 0o755 });
    symlinkSync(empty, root.path("var", "history.sqlite"));
    const r = await root.runTasks("db");
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /cannot open history database .*history\.sqlite: ELOOP/);
    assert.deepEqual(ranRids(r.stdout), []);
    assert.equal(readFileSync(empty, "utf8"), "", "no database was made in the linked file");
  });
});

describe("trees another user can write (as root)", { skip: !isRoot && "needs root to create a user", concurrency: 4 }, () => {
  /** A root-owned 0600 file beside the test root. */
  function secretIn(root: TestRoot): string {
    const secret = join(root.dir, "secret");
    writeFileSync(secret, "root only\n", { mode: 0o600 });
    return secret;
  }

  test("a log dir a user owns, with a symlink planted for the next run log: refused (exit 2), the root file untouched", async (t) => {
    const user = createUser(t);
    const root = makeRoot(t);
    const secret = secretIn(root);
    root.writeConf("s", "[task#0]\ncommand = echo task output\n");
    mkdirSync(root.path("log"), { mode: 0o755 });
    chownSync(root.path("log"), user.uid, user.gid);
    // The user plants the next run's log file.
    const [cmd, ...args] = asUser(user, ["sh", "-c", 'mkdir -p "$1/runs/s/task#0" && ln -s "$2" "$1/runs/s/task#0/1.log" && ln -s "$2" "$1/s.log"', "sh", root.path("log"), secret]);
    assert.equal((await collect(spawn(cmd!, args))).status, 0);
    for (const args of [["-s", "s", "run"], ["daemon", "start"]]) {
      const r = await root.run(args);
      assert.equal(r.status, 2, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
      assert.ok(r.stderr.includes(`refusing directory ${root.path("log")} (mode 0755): it is owned by uid ${user.uid}, not root`), r.stderr);
      assert.ok(!hasStackTrace(r.stderr), r.stderr);
    }
    assert.deepEqual(ranRids((await root.runTasks("s")).stdout), []);
    assert.equal(readFileSync(secret, "utf8"), "root only\n");
  });

  test("a world-writable var dir, and a --root in a directory a user owns: refused (exit 2)", async (t) => {
    const root = makeRoot(t);
    root.writeConf("s", "[task#0]\ncommand = echo ran task#0\n");
    mkdirSync(root.path("var"), { mode: 0o755 });
    chmodSync(root.path("var"), 0o777);
    const r = await root.runTasks("s");
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.ok(r.stderr.includes(`refusing directory ${root.path("var")} (mode 0777): it is writable by any user`), r.stderr);
    assert.deepEqual(ranRids(r.stdout), []);

    const user = createUser(t);
    const owned = mkdtempSync(join(tmpdir(), "svcmgr-sec-owned-"));
    t.after(() => rmSync(owned, { recursive: true, force: true }));
    chownSync(owned, user.uid, user.gid);
    const inside = join(owned, "root");
    const r2 = await new TestRoot(inside).run(["daemon", "start"]);
    assert.equal(r2.status, 2, r2.stdout + r2.stderr);
    assert.ok(r2.stderr.includes(`refusing directory ${owned} (mode 0700): it is owned by uid ${user.uid}, not root`), r2.stderr);
    assert.ok(!existsSync(join(inside, "var", "daemon.pid")), "no daemon started");
  });

  test("a run file another user forged (a live owner, max_parallel = 1) does not block the task, and is removed", async (t) => {
    const user = createUser(t);
    const root = makeRoot(t);
    root.writeConf("forged", "[task#0]\ncommand = echo ran task#0\nmax_parallel = 1\n");
    const dir = root.runDir("forged", "task#0");
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    const forged = join(dir, "1-0");
    writeFileSync(forged, JSON.stringify({ owner: { pid: 1, startTime: null }, session: "forged" }), { mode: 0o644 });
    chownSync(forged, user.uid, user.gid);
    const r = await root.runTasks("forged");
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.deepEqual(ranRids(r.stdout), ["task#0"]);
    assert.ok(!existsSync(forged), "the forged file is gone");
  });
});
