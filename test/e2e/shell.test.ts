/**
 * `svcmgr -s SVC shell` end to end (design §15), driven on a real pseudo-terminal (util-linux
 * `script`): the task's identity, environment and cwd, the shell's exit code as svcmgr's, the
 * record (trigger oneoff, rid shell, who asked), Ctrl-C and SIGINT not ending svcmgr, the
 * shell's cgroup with the task's limits and its leftovers killed, and the refusals (no terminal,
 * another user without root, a root shell through sudo).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { chownSync, readdirSync, statSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { baseEnv, CLI, makeRoot, processesWith, uniqueMarker, type TestRoot } from "./helpers.js";
import { PtySession } from "../helpers/pty.js";
import { skipUnless, skipUnlessRoot } from "../helpers/require-all.js";
import { hostCgroups } from "../../src/platform/cgroup.js";

const hasScript = (() => {
  try {
    execFileSync("script", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
const skipNoPty = skipUnless(hasScript, "needs util-linux script to drive a pseudo-terminal");
const cgroupsWhy = hostCgroups("default").unavailable();

/**
 * The invoker's shell reads its rc files from HOME; a developer's (pyenv hooks at every prompt)
 * can take seconds under load: the tests that shell as the invoker point HOME at an empty place.
 */
const QUIET_HOME = (root: TestRoot) => `HOME=${root.dir}`;

/** `svcmgr --root DIR -s SVC shell ARGS` on a new pty, as `prefix` (setpriv…) when given. */
function shell(t: { after(fn: () => void): void }, root: TestRoot, svc: string, args: readonly string[] = [], env: Record<string, string | undefined> = {}, prefix: readonly string[] = []): PtySession {
  const pty = new PtySession([...prefix, process.execPath, CLI, "--root", root.dir, "-s", svc, "shell", ...args], baseEnv({ TERM: "dumb", ...env }));
  t.after(() => pty.kill());
  return pty;
}

describe("svcmgr shell on a terminal", { skip: skipNoPty, concurrency: true }, () => {
  test("the task's environment and cwd, exit 3 is svcmgr's exit code, recorded with who and the code", async (t) => {
    const root = makeRoot(t);
    const cwd = root.path("work");
    execFileSync("mkdir", [cwd]);
    root.writeConf("app", `[task#0]\ncommand = /bin/true\ncwd = ${cwd}\nenvironment = APP_MODE=blue ${QUIET_HOME(root)}\n`);
    const me = execFileSync("id", ["-un"], { encoding: "utf8" }).trim();
    const pty = shell(t, root, "app");
    await pty.ready();
    pty.type('echo "U=$(id -un) P=$(pwd) M=$APP_MODE R=$SVCMGR_RID A=$SVCMGR_ACTION T=$TERM"\n');
    const m = await pty.waitFor(/U=(\S+) P=(\S+) M=(\S*) R=(\S*) A=(\S*) T=(\S*)\r?\n/);
    assert.deepEqual(m.slice(1), [me, cwd, "blue", "task#0", "shell", "dumb"]);
    pty.type("exit 3\n");
    const end = await pty.ended();
    assert.equal(end.status, 3, end.output);
    const rec = root.history("app").at(-1)!;
    assert.equal(rec.trigger, "oneoff");
    assert.equal(rec.rid, "shell");
    assert.equal(rec.exitCode, 3);
    assert.equal(rec.status, "failed");
    assert.equal(rec.reason, "shell exited with code 3");
    assert.equal(rec.initiatedBy, me);
    assert.equal(rec.user, me);
    assert.match(rec.command ?? "", /^\/\S+ \(task#0's context\)$/);
    assert.ok(rec.endedAt! >= rec.startedAt);
  });

  test("Ctrl-C goes to the shell's job, and SIGINT or SIGQUIT to svcmgr does not end it", async (t) => {
    const root = makeRoot(t);
    root.writeConf("app", `[task#0]\ncommand = /bin/true\nenvironment = ${QUIET_HOME(root)}\n`);
    const pty = shell(t, root, "app");
    await pty.ready();
    pty.type("echo READY; sleep 30\n");
    await pty.waitFor(/^READY\r?$/m);
    await new Promise((r) => setTimeout(r, 300));
    pty.type("\x03");
    pty.type("echo AFTER=$?\n");
    await pty.waitFor(/AFTER=130\r?\n/);
    // $PPID is svcmgr: the shell replaced the launcher's prelude in the same pid.
    pty.type('kill -INT $PPID; kill -QUIT $PPID; sleep 0.3; echo "ALIVE=$(kill -0 $PPID && echo yes)"\n');
    await pty.waitFor(/ALIVE=yes/);
    pty.type("exit 0\n");
    const end = await pty.ended();
    assert.equal(end.status, 0, end.output);
    assert.equal(root.history("app").at(-1)?.status, "succeeded");
  });

  test("without a terminal it is refused; several tasks need --rid; an unknown rid is an error", async (t) => {
    const root = makeRoot(t);
    root.writeConf("one", "[task#0]\ncommand = /bin/true\n");
    root.writeConf("two", "[task#0]\ncommand = /bin/true\n[task#1]\ncommand = /bin/true\n");
    const noTty = await root.run(["-s", "one", "shell"]);
    assert.equal(noTty.status, 1);
    assert.match(noTty.stderr, /svcmgr shell needs a terminal \(stdin is not a terminal\)/);
    assert.deepEqual(root.history("one"), [], "nothing recorded");
    const several = await root.run(["-s", "two", "shell"]);
    assert.equal(several.status, 2);
    assert.match(several.stderr, /two has 2 tasks: say whose context the shell gets with --rid \(task#0, task#1\)/);
    const unknown = await root.run(["-s", "two", "shell", "--rid", "task#9"]);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /two: no task task#9 \(tasks: task#0, task#1\)/);
  });

  test("in its own cgroup with the task's limits; what it leaves running is killed when it ends", { skip: skipUnless(cgroupsWhy === null, `needs writable cgroups (${cgroupsWhy})`) }, async (t) => {
    const root = makeRoot(t);
    root.writeConf("app", `[task#0]\ncommand = /bin/true\nlimit_pids = 50\nenvironment = ${QUIET_HOME(root)}\n`);
    const marker = uniqueMarker();
    const pty = shell(t, root, "app");
    await pty.ready();
    // The pids limit of the cgroup the shell is in, wherever the pids controller is mounted.
    pty.type(`for f in /sys/fs/cgroup/pids$(grep ':pids:' /proc/self/cgroup | cut -d: -f3)/pids.max /sys/fs/cgroup$(grep '^0::' /proc/self/cgroup | cut -d: -f3)/pids.max; do [ -r "$f" ] && echo "MAX=$(cat "$f")" && break; done; echo "CG=$(grep -m1 svcmgr /proc/self/cgroup | cut -d: -f3)"\n`);
    const max = await pty.waitFor(/MAX=(\d+)/);
    const cg = await pty.waitFor(/CG=(\S+)\r?\n/);
    assert.equal(max[1], "50");
    pty.type(`sleep ${marker} & exit 0\n`);
    const end = await pty.ended();
    assert.equal(end.status, 0, end.output);
    const rec = root.history("app").at(-1)!;
    assert.match(cg[1]!, new RegExp(`/svcmgr/[0-9a-f]{16}/app/shell/${rec.id}$`));
    assert.equal(rec.reason, "1 process(es) left behind by the shell killed with it");
    assert.ok(rec.cpuSeconds !== null && rec.cpuSeconds >= 0, `cpu seconds ${rec.cpuSeconds}`);
    assert.deepEqual(processesWith(`sleep ${marker}`), []);
  });
});

describe("svcmgr shell and identities (as root)", { skip: skipNoPty || skipUnlessRoot("needs root to create a user and switch to it"), concurrency: true }, () => {
  const user = `svcmgr-e2e-sh-${Math.random().toString(36).slice(2, 8)}`;
  let uid = 0;
  let gid = 0;
  let home = "";

  before(() => {
    // A service account's shell: nologin, which /etc/shells does not list, so the shell is /bin/sh.
    execFileSync("useradd", ["-m", "-s", "/usr/sbin/nologin", user]);
    uid = Number(execFileSync("id", ["-u", user], { encoding: "utf8" }));
    gid = Number(execFileSync("id", ["-g", user], { encoding: "utf8" }));
    home = execFileSync("getent", ["passwd", user], { encoding: "utf8" }).trim().split(":")[5]!;
  });

  after(() => {
    try {
      execFileSync("userdel", ["-r", user], { stdio: "ignore" });
    } catch {
      // not created
    }
  });

  test("--user U: U's identity, home and /bin/sh (its login shell is nologin), recorded as U, asked by root", async (t) => {
    const root = makeRoot(t);
    root.writeConf("app", "[task#0]\ncommand = /bin/true\nenvironment = APP_MODE=green\n");
    const pty = shell(t, root, "app", ["--user", user]);
    await pty.ready();
    pty.type('echo "U=$(id -un) G=$(id -g) P=$(pwd) H=$HOME S=$SHELL M=$APP_MODE"\n');
    const m = await pty.waitFor(/U=(\S+) G=(\S+) P=(\S+) H=(\S+) S=(\S+) M=(\S*)\r?\n/);
    assert.deepEqual(m.slice(1), [user, String(gid), home, home, "/bin/sh", "green"]);
    pty.type("exit 4\n");
    const end = await pty.ended();
    assert.equal(end.status, 4, end.output);
    const rec = root.history("app").at(-1)!;
    assert.equal(rec.user, user);
    assert.equal(rec.initiatedBy, "root");
    assert.equal(rec.exitCode, 4);
  });

  test("through sudo by a non-root user: no root shell; the task's user or --user U is allowed, recorded as asked by that user", async (t) => {
    const root = makeRoot(t);
    root.writeConf("plain", "[task#0]\ncommand = /bin/true\n");
    root.writeConf("owned", `[task#0]\ncommand = /bin/true\nuser = ${user}\n`);
    const sudo = { SUDO_USER: user, SUDO_UID: String(uid), SUDO_GID: String(gid) };
    for (const args of [[], ["--user", "root"]]) {
      const refused = await root.run(["-s", "plain", "shell", ...args], { env: sudo });
      assert.equal(refused.status, 1, refused.stderr);
      assert.match(refused.stderr, new RegExp(`shell refused: through sudo \\(by ${user}, uid ${uid}\\) a shell never runs as root`));
    }
    assert.deepEqual(root.history("plain"), [], "a refused shell is not recorded");
    const pty = shell(t, root, "owned", [], sudo);
    await pty.ready();
    pty.type('echo "U=$(id -un)"\n');
    assert.equal((await pty.waitFor(/U=([\w-]+)\r?\n/))[1], user);
    pty.type("exit\n");
    assert.equal((await pty.ended()).status, 0);
    const rec = root.history("owned").at(-1)!;
    assert.deepEqual([rec.user, rec.initiatedBy, rec.status], [user, user, "succeeded"]);
  });

  test("a non-root caller may not shell as another user", async (t) => {
    const root = makeRoot(t);
    root.writeConf("app", "[task#0]\ncommand = /bin/true\n");
    for (const dir of ["", "etc", "etc/app.conf"]) chownSync(join(root.dir, dir), uid, gid);
    const asUser = ["setpriv", `--reuid=${uid}`, `--regid=${gid}`, "--init-groups", "--"];
    const pty = shell(t, root, "app", ["--user", "root"], { HOME: home }, asUser);
    const end = await pty.ended();
    assert.equal(end.status, 1, end.output);
    assert.match(end.output, /shell refused: task#0: user "root" requires running svcmgr as root \(current uid \d+\)/);
    assert.ok(!readdirSync(root.dir).includes("var") || statSync(join(root.dir, "var")).uid === uid);
  });
});
