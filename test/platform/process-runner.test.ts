import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ProcessResult, ProcessSpec } from "../../src/core/ports.js";
import { createProcessRunner } from "../../src/platform/process-runner.js";
import { createUserDb } from "../../src/platform/user-db.js";
import { processStartTime } from "../../src/platform/liveness.js";
import { hasExited, readProcStat } from "../../src/platform/proc-stat.js";
import { resolveIdentity } from "../../src/run/identity.js";
import { RUN_PATH } from "../../src/run/environment.js";
import { skipUnlessRoot } from "../helpers/require-all.js";

const runner = createProcessRunner({ pipeGraceMs: 200 });
const ENV = { PATH: "/usr/bin:/bin" };

/** Runs a spec and collects its output as text per stream. */
async function run(spec: Partial<ProcessSpec> & Pick<ProcessSpec, "argv">) {
  const out = { stdout: "", stderr: "" };
  const result = await runner.run({
    env: ENV,
    cwd: "/",
    onOutput: (s, chunk) => (out[s] += chunk.toString("utf8")),
    ...spec,
  });
  return { result, ...out };
}

/** A unique argument to find our processes in /proc/<pid>/cmdline. */
const marker = () => `${100 + Math.floor(Math.random() * 800)}.${process.pid}${Date.now() % 100000}`;

/** Live (non-zombie) processes whose cmdline contains `needle` or whose pgid is `pgid`. */
function survivors(needle: string, pgid: number | null): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      const stat = readProcStat(Number(pid));
      if (stat === null || hasExited(stat)) continue;
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "latin1").replace(/\0/g, " ");
      if (cmdline.includes(needle) || stat.pgrp === pgid) found.push(`${pid}: ${cmdline}`);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

function assertExit(result: ProcessResult, exitCode: number) {
  assert.equal(result.spawnError, undefined);
  assert.equal(result.exitCode, exitCode);
  assert.equal(result.signal, null);
  assert.equal(result.timedOut, false);
  assert.equal(result.aborted, false);
}

describe("identity, environment, cwd and umask of a switched task", { skip: skipUnlessRoot() }, () => {
  const tag = `svcmgr-t-${Math.random().toString(36).slice(2, 8)}`;
  const user = tag;
  const supGroup = `${tag}-s`;
  before(() => {
    execFileSync("groupadd", [user]);
    execFileSync("groupadd", [supGroup]);
    execFileSync("useradd", ["-m", "-g", user, "-G", supGroup, "-s", "/bin/sh", user]);
  });
  after(() => {
    for (const [cmd, args] of [["userdel", ["-r", user]], ["groupdel", [supGroup]], ["groupdel", [user]]] as const) {
      try {
        execFileSync(cmd, [...args], { stdio: "ignore" });
      } catch {
        // best effort: an earlier step failed
      }
    }
  });

  test("runs as the user with its groups, login env, home as cwd and the umask", async () => {
    const db = createUserDb();
    const resolved = resolveIdentity({ rid: "task#0", user }, db, { uid: 0, gid: 0 });
    assert.ok(resolved.ok && resolved.identity && resolved.env && resolved.cwd);
    const { stdout, stderr, result } = await run({
      argv: ["/bin/sh", "-c", 'id -u; id -G; printf "%s\\n" "$HOME" "$USER" "$LOGNAME" "$SHELL" "$PATH"; pwd; umask'],
      env: { ...resolved.env, PATH: RUN_PATH },
      cwd: resolved.cwd.preferred,
      identity: resolved.identity,
      umask: 0o27,
    });
    assert.equal(stderr, "");
    assertExit(result, 0);
    const u = db.user(user)!;
    const lines = stdout.trim().split("\n");
    assert.equal(lines[0], String(u.uid));
    assert.deepEqual(lines[1]!.split(" ").map(Number).sort(), [u.gid, db.group(supGroup)!.gid].sort());
    assert.deepEqual(lines.slice(2), [u.home, user, user, "/bin/sh", RUN_PATH, u.home, "0027"]);
  });

  test("argv[0] is looked up in spec.env.PATH and checked for the switched user", async () => {
    const dir = mkdtempSync(join(tmpdir(), "svcmgr-path-"));
    try {
      chmodSync(dir, 0o755);
      writeFileSync(join(dir, "svcmgr-hello"), "#!/bin/sh\necho hello $(id -un)\n", { mode: 0o755 });
      writeFileSync(join(dir, "svcmgr-rootonly"), "#!/bin/sh\necho no\n", { mode: 0o700 });
      const identity = { user, uid: createUserDb().user(user)!.uid, gid: createUserDb().user(user)!.gid };
      const env = { PATH: `${dir}:/usr/bin:/bin` };
      const ok = await run({ argv: ["svcmgr-hello"], env, identity });
      assertExit(ok.result, 0);
      assert.equal(ok.stdout, `hello ${user}\n`);
      const denied = await run({ argv: ["svcmgr-rootonly"], env, identity });
      assert.equal(denied.result.spawnError, "permission denied: svcmgr-rootonly");
      assert.equal(denied.result.pid, null);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("limits apply to the switched user (prlimit before setpriv)", async () => {
    const identity = { user, uid: createUserDb().user(user)!.uid, gid: createUserDb().user(user)!.gid };
    const { stdout, result } = await run({ argv: ["/bin/sh", "-c", "ulimit -n; ulimit -Hn"], identity, limits: { nofile: 4096 } });
    assertExit(result, 0);
    assert.equal(stdout, "4096\n4096\n");
  });
});

describe("exit status, signals and spawn errors", () => {
  test("exit codes, stdout and stderr per stream, onSpawn with the pid and its start time", async () => {
    let spawned: { pid: number; startTime: number | null; fromProc: number | null } | null = null;
    const { stdout, stderr, result } = await run({
      argv: ["/bin/sh", "-c", "echo out; echo err >&2; exit 3"],
      onSpawn: (pid, startTime) => (spawned = { pid, startTime, fromProc: processStartTime(pid) }),
    });
    assertExit(result, 3);
    assert.equal(stdout, "out\n");
    assert.equal(stderr, "err\n");
    assert.equal(spawned!.pid, result.pid);
    assert.ok(spawned!.startTime !== null && spawned!.startTime > 0);
    assert.equal(spawned!.startTime, spawned!.fromProc);
    assert.ok(result.startedAt <= result.endedAt);
  });

  test("death by signal: exitCode null, signal named", async () => {
    const { result } = await run({ argv: ["/bin/sh", "-c", "kill -9 $$"] });
    assert.equal(result.exitCode, null);
    assert.equal(result.signal, "SIGKILL");
    assert.equal(result.timedOut, false);
  });

  test("a missing command is a spawnError, never a throw", async () => {
    const { result } = await run({ argv: ["svcmgr-no-such-command", "x"] });
    assert.deepEqual({ ...result, startedAt: 0, endedAt: 0 }, {
      pid: null, startedAt: 0, endedAt: 0, exitCode: null, signal: null, timedOut: false, aborted: false,
      spawnError: "command not found: svcmgr-no-such-command",
    });
    assert.equal((await run({ argv: ["/nonexistent/bin/x"] })).result.spawnError, "command not found: /nonexistent/bin/x");
  });

  test("not executable, directories and a bad cwd are spawnErrors", async () => {
    const dir = mkdtempSync(join(tmpdir(), "svcmgr-noexec-"));
    try {
      writeFileSync(join(dir, "script"), "#!/bin/sh\necho hi\n", { mode: 0o644 });
      writeFileSync(join(dir, "badshebang"), "#!/nonexistent/interp\necho hi\n", { mode: 0o755 });
      mkdirSync(join(dir, "subdir"));
      assert.equal((await run({ argv: [join(dir, "script")] })).result.spawnError, `permission denied: ${join(dir, "script")}`);
      assert.equal((await run({ argv: ["./script"], cwd: dir })).result.spawnError, "permission denied: ./script");
      assert.equal((await run({ argv: ["subdir"], env: { PATH: dir } })).result.spawnError, "permission denied: subdir");
      const bad = "bad interpreter: badshebang (#!/nonexistent/interp: not found)";
      assert.equal((await run({ argv: ["badshebang"], env: { PATH: dir } })).result.spawnError, bad);
      assert.equal((await run({ argv: ["badshebang"], env: { PATH: dir }, umask: 0o22 })).result.spawnError, bad);
      assert.equal((await run({ argv: ["true"], cwd: join(dir, "gone") })).result.spawnError, `working directory not found: ${join(dir, "gone")}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a script edited between runs is checked again: its new #! line counts", async () => {
    const dir = mkdtempSync(join(tmpdir(), "svcmgr-edited-"));
    const script = join(dir, "job");
    try {
      writeFileSync(script, "#!/bin/sh\necho one\n", { mode: 0o755 });
      assert.equal((await run({ argv: [script] })).stdout, "one\n");
      writeFileSync(script, "#!/nonexistent/interp\necho two\n");
      assert.equal((await run({ argv: [script] })).result.spawnError, `bad interpreter: ${script} (#!/nonexistent/interp: not found)`);
      writeFileSync(script, "#!/bin/sh\necho three\n");
      assert.equal((await run({ argv: [script] })).stdout, "three\n");
      writeFileSync(script, "#!\necho four\n");
      assert.equal((await run({ argv: [script] })).result.spawnError, `exec format error: ${script} (empty #! line)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("argv[0] lookup uses spec.env.PATH, not the agent's PATH", async () => {
    const dir = mkdtempSync(join(tmpdir(), "svcmgr-path-"));
    try {
      writeFileSync(join(dir, "svcmgr-only-here"), "#!/bin/sh\necho found \"$@\"\n", { mode: 0o755 });
      const found = await run({ argv: ["svcmgr-only-here", "a b"], env: { PATH: `/nonexistent:${dir}` } });
      assertExit(found.result, 0);
      assert.equal(found.stdout, "found a b\n");
      assert.equal((await run({ argv: ["svcmgr-only-here"] })).result.spawnError, "command not found: svcmgr-only-here");
      assert.equal((await run({ argv: ["ls"], env: { PATH: dir } })).result.spawnError, "command not found: ls");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the environment is exactly spec.env, also through the umask and limit wrappers", async () => {
    const env = { PATH: "/usr/bin:/bin", FOO: "a b", EMPTY: "" };
    for (const extra of [{}, { umask: 0o22 }, { umask: 0o77, limits: { nofile: 512, vmem: 1 << 30 } }]) {
      const { stdout, result } = await run({ argv: ["env"], env, ...extra });
      assertExit(result, 0);
      assert.deepEqual(stdout.trim().split("\n").sort(), ["EMPTY=", "FOO=a b", "PATH=/usr/bin:/bin"], JSON.stringify(extra));
    }
  });

  test("limit_nofile reaches ulimit -n; bad values are refused", async () => {
    const { stdout, result } = await run({ argv: ["/bin/sh", "-c", "ulimit -n"], limits: { nofile: 123 } });
    assertExit(result, 0);
    assert.equal(stdout, "123\n");
    assert.equal((await run({ argv: ["true"], limits: { nofile: -1 } })).result.spawnError, "invalid limit_nofile: -1");
    assert.equal((await run({ argv: ["true"], umask: 0o1000 })).result.spawnError, "invalid umask: 512");
  });
});

describe("timeouts, abort and the process group", () => {
  test("timeout kills the whole group: no descendant survives", async () => {
    const m = marker();
    const t0 = Date.now();
    const { result } = await run({ argv: ["/bin/sh", "-c", `sleep ${m} & sleep ${m}`], timeoutMs: 1000, killGraceMs: 500 });
    const elapsed = Date.now() - t0;
    assert.equal(result.timedOut, true);
    assert.equal(result.aborted, false);
    assert.equal(result.exitCode, null);
    assert.equal(result.signal, "SIGTERM");
    assert.ok(elapsed >= 1000 && elapsed < 3000, `settled after ${elapsed} ms`);
    assert.deepEqual(survivors(m, result.pid), []);
  });

  test("processes ignoring SIGTERM are SIGKILLed after the grace", async () => {
    const m = marker();
    const t0 = Date.now();
    const { result } = await run({
      argv: ["/bin/sh", "-c", `trap '' TERM; sleep ${m} >/dev/null 2>&1 & trap '' TERM; sleep ${m}; echo after`],
      timeoutMs: 500,
      killGraceMs: 500,
    });
    const elapsed = Date.now() - t0;
    assert.equal(result.timedOut, true);
    assert.ok(elapsed >= 1000 && elapsed < 3000, `settled after ${elapsed} ms`);
    assert.deepEqual(survivors(m, result.pid), []);
  });

  test("a leader exiting while a background child holds the pipes settles promptly", async () => {
    const m = marker();
    const t0 = Date.now();
    const { result, stdout } = await run({ argv: ["/bin/sh", "-c", `sleep ${m} & echo started; exit 4`], killGraceMs: 500 });
    const elapsed = Date.now() - t0;
    assertExit(result, 4);
    assert.equal(stdout, "started\n");
    assert.ok(elapsed < 1500, `settled after ${elapsed} ms`);
    assert.deepEqual(survivors(m, result.pid), []);
  });

  test("abort kills the group and records aborted, not timed out", async () => {
    const m = marker();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const { result } = await run({ argv: ["/bin/sh", "-c", `sleep ${m}; true`], signal: ac.signal, timeoutMs: 10_000, killGraceMs: 500 });
    assert.equal(result.aborted, true);
    assert.equal(result.timedOut, false);
    assert.equal(result.signal, "SIGTERM");
    assert.deepEqual(survivors(m, result.pid), []);
  });

  test("an already aborted signal starts nothing", async () => {
    let spawned = false;
    const { result } = await run({ argv: ["true"], signal: AbortSignal.abort(), onSpawn: () => (spawned = true) });
    assert.equal(result.aborted, true);
    assert.equal(result.pid, null);
    assert.equal(spawned, false);
  });
});

describe("output streaming", () => {
  test("10 MB of output arrives through onOutput, byte for byte", async () => {
    let bytes = 0;
    const result = await runner.run({
      argv: ["head", "-c", "10485760", "/dev/zero"],
      env: ENV,
      cwd: "/",
      onOutput: (_s, chunk) => (bytes += chunk.length),
    });
    assertExit(result, 0);
    assert.equal(bytes, 10 * 1024 * 1024);
  });

  test("the runner keeps no output: 300 MB leave memory flat", async () => {
    let bytes = 0;
    let peak = 0;
    const base = process.memoryUsage().rss;
    const result = await runner.run({
      argv: ["head", "-c", String(300 * 1024 * 1024), "/dev/zero"],
      env: ENV,
      cwd: "/",
      onOutput: (_s, chunk) => {
        bytes += chunk.length;
        if (bytes % (16 * 1024 * 1024) < chunk.length) peak = Math.max(peak, process.memoryUsage().rss);
      },
    });
    assertExit(result, 0);
    assert.equal(bytes, 300 * 1024 * 1024);
    const growth = Math.max(peak, process.memoryUsage().rss) - base;
    assert.ok(growth < 100 * 1024 * 1024, `rss grew by ${Math.round(growth / 1048576)} MiB`);
  });
});
