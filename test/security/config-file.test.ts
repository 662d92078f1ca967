import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hasStackTrace, isRoot, makeRoot, ranRids, waitFor } from "../e2e/helpers.js";
import { Daemon } from "../e2e/daemon-harness.js";
import { asUser, createUser } from "./users.js";

/**
 * Issue 21: a config file is read once, from the descriptor that was checked. Root's
 * `etc/s.conf` linking into a directory a user owns let the user swap the file between the
 * check and the read (root ran the user's command); a FIFO or a /dev/zero link as a config
 * hung every command and the daemon. Now: only regular files, at most 8 MiB, the way to them
 * trusted, refused at once with a message naming the file; every other service keeps running.
 */
describe("config files are read once, from a checked regular file", { concurrency: 4 }, () => {
  test("a FIFO and a /dev/zero link are refused at once, naming the file; ls and the other services are unaffected", async (t) => {
    const root = makeRoot(t);
    root.writeConf("good", "[task#0]\ncommand = echo ran task#0\n");
    const fifo = join(root.etc, "fifo.conf");
    execFileSync("mkfifo", ["-m", "0644", fifo]);
    const zero = join(root.etc, "zero.conf");
    symlinkSync("/dev/zero", zero);
    for (const [name, file, kind] of [["fifo", fifo, "a FIFO"], ["zero", zero, "a character device"]] as const) {
      for (const args of [["-s", name, "run"], ["-s", name, "validate", "config"], ["-s", name, "print", "config"]]) {
        const r = await root.run(args, { timeoutMs: 15_000 });
        assert.equal(r.signal, null, `${args.join(" ")} hung`);
        assert.equal(r.status, 2, `${args.join(" ")}: ${r.stdout}${r.stderr}`);
        assert.ok(r.stderr.includes(`refusing config file ${file}: it is ${kind}, not a regular file`), r.stderr);
        assert.ok(!hasStackTrace(r.stderr), r.stderr);
      }
    }
    const ls = await root.run(["ls"], { timeoutMs: 15_000 });
    assert.equal(ls.signal, null, "ls hung");
    assert.match(ls.stdout, /good/);
    const good = await root.runTasks("good");
    assert.equal(good.status, 0, good.stderr);
    assert.deepEqual(ranRids(good.stdout), ["task#0"]);
  });

  test("a config file over 8 MiB is refused without being read", async (t) => {
    const root = makeRoot(t);
    const file = root.writeConf("huge", "[task#0]\ncommand = echo ran task#0\n");
    truncateSync(file, 9 * 1024 * 1024);
    const r = await root.runTasks("huge");
    assert.equal(r.status, 2, r.stderr);
    assert.ok(r.stderr.includes(`refusing config file ${file}: it holds more than 8388608 bytes (9437184)`), r.stderr);
  });

  test("the daemon schedules the other services and stops on SIGTERM with a FIFO and a /dev/zero config", async (t) => {
    const root = makeRoot(t);
    root.writeConf("tick", "[task#0]\ncommand = echo tick\nschedule = * * * * * *\n");
    execFileSync("mkfifo", ["-m", "0644", join(root.etc, "fifo.conf")]);
    symlinkSync("/dev/zero", join(root.etc, "zero.conf"));
    const d = Daemon.start(root);
    t.after(() => d.stop("SIGKILL").catch(() => undefined));
    for (const svc of ["fifo", "zero"]) {
      const refused = await d.waitEvent(`${svc} refused`, (e) => e.event === "not-scheduled" && e.svc === svc, 20_000);
      assert.match(refused.detail ?? "", /not a regular file/);
    }
    await waitFor("2 runs of tick", () => root.history("tick").filter((r) => r.status === "succeeded").length >= 2, 20_000);
    const exit = await d.stop("SIGTERM", 20_000);
    assert.equal(exit.code, 0, d.tail());
  });

  test("a config linked to a root file in a root directory is read", { skip: !isRoot && "needs root" }, async (t) => {
    const root = makeRoot(t);
    const shared = join(root.dir, "shared");
    mkdirSync(shared, { mode: 0o755 });
    writeFileSync(join(shared, "linked.conf"), "[task#0]\ncommand = echo ran task#0\n", { mode: 0o644 });
    symlinkSync(join(shared, "linked.conf"), join(root.etc, "linked.conf"));
    const r = await root.runTasks("linked");
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(ranRids(r.stdout), ["task#0"]);
  });
});

describe("config file swapped by a local user (as root)", { skip: !isRoot && "needs root to create a user" }, () => {
  test("etc/s.conf linking into a user's directory is refused, whatever the user swaps in, and the user's command never runs", async (t) => {
    const user = createUser(t);
    const root = makeRoot(t);
    const pwned = join(root.dir, "PWNED");
    const userDir = mkdtempSync(join(tmpdir(), "svcmgr-sec-user-"));
    t.after(() => rmSync(userDir, { recursive: true, force: true }));
    chownSync(userDir, user.uid, user.gid);
    // Root's file, in the user's directory, and the user's own.
    writeFileSync(join(userDir, "s.conf"), "[task#0]\ncommand = echo ran task#0\n", { mode: 0o644 });
    writeFileSync(join(userDir, "evil"), `[task#0]\ncommand = touch ${pwned}\n`, { mode: 0o644 });
    chownSync(join(userDir, "evil"), user.uid, user.gid);
    symlinkSync(join(userDir, "s.conf"), join(root.etc, "s.conf"));
    // The user swaps the two with atomic renames, as fast as it can, while root runs the service.
    const swap = 'chdir $ARGV[0] or die; while (1) { rename "s.conf", "r"; rename "evil", "s.conf"; rename "s.conf", "evil"; rename "r", "s.conf" }';
    const [cmd, ...args] = asUser(user, ["perl", "-e", swap, userDir]);
    const swapper = spawn(cmd!, args, { stdio: "ignore" });
    const swapperGone = new Promise((resolve) => swapper.once("exit", resolve));
    try {
      for (let i = 0; i < 6; i++) {
        const r = await root.runTasks("s");
        assert.equal(r.status, 2, `run ${i + 1}: ${r.stdout}${r.stderr}`);
        assert.ok(r.stderr.includes(`refusing directory ${userDir} (mode 0700): it is owned by uid ${user.uid}, not root on the way to ${join(root.etc, "s.conf")}`), r.stderr);
        assert.ok(!existsSync(pwned), `run ${i + 1} ran the user's command as root`);
      }
    } finally {
      swapper.kill("SIGKILL");
      await swapperGone;
    }
  });
});
