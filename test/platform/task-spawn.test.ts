import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nodeSpawnTask, nativeSpawnTask, type SpawnTask, type TaskProcess } from "../../src/platform/task-spawn.js";
import { parseProcStat } from "../../src/platform/proc-stat.js";
import { skipUnlessNative } from "../helpers/require-all.js";

const native = nativeSpawnTask();

test("the native (vfork) launcher is built and usable on Linux", { skip: process.platform !== "linux" && "Linux only" }, () => {
  assert.notEqual(native, null, "build/Release/svcmgr_native.node is missing or the kernel has no pidfd (npm ci runs node-gyp)");
});

/** Reads both pipes to the end and waits for the leader's end. */
async function finish(child: TaskProcess): Promise<{ stdout: string; stderr: string; code: number | null; signal: string | null }> {
  const chunks = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  const closed = new Promise<void>((resolve) => {
    let open = 2;
    child.onOutput((stream, chunk) => (chunk !== null ? chunks[stream].push(chunk) : --open === 0 && resolve()));
  });
  const exited = new Promise<[number | null, string | null]>((resolve) => child.onExit((code, signal) => resolve([code, signal])));
  const [, [code, signal]] = await Promise.all([closed, exited]);
  return { stdout: Buffer.concat(chunks.stdout).toString("utf8"), stderr: Buffer.concat(chunks.stderr).toString("utf8"), code, signal };
}

/** This process's descriptors above 2 that any child inherits (opened without O_CLOEXEC by whoever started us). */
function inheritableFds(): Set<string> {
  const O_CLOEXEC = 0o2000000;
  return new Set(
    readdirSync("/proc/self/fd").filter((fd) => {
      try {
        const flags = /^flags:\s*([0-7]+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, "latin1"));
        return Number(fd) > 2 && flags !== null && (parseInt(flags[1]!, 8) & O_CLOEXEC) === 0;
      } catch {
        return false; // the directory being read
      }
    }),
  );
}

const launchers: Array<[string, SpawnTask | null]> = [
  ["native (vfork)", native],
  ["child_process", nodeSpawnTask],
];

for (const [name, spawnTask] of launchers) {
  describe(`${name} launcher`, { skip: spawnTask === nodeSpawnTask ? false : skipUnlessNative() }, () => {
    const start = (argv: string[], env: Record<string, string> = { PATH: "/usr/bin:/bin" }, cwd = "/") => spawnTask!(argv[0]!, argv, { cwd, env });

    test("the child gets exactly the environment, argv and cwd it is given", async () => {
      const env = { ONLY: "this", "WITH SPACE": "a=b c" };
      const out = await finish(await start(["/usr/bin/env"], env));
      assert.deepEqual(out.stdout.trimEnd().split("\n").sort(), ["ONLY=this", "WITH SPACE=a=b c"]);
      const cwd = await finish(await start(["/bin/sh", "-c", 'printf "%s|%s" "$0" "$(pwd -P)"'], {}, "/usr"));
      assert.equal(cwd.stdout, "/bin/sh|/usr");
    });

    test("the child leads its own session and process group", async () => {
      const child = await start(["/bin/sh", "-c", "cat /proc/$$/stat"]);
      const out = await finish(child);
      const stat = parseProcStat(out.stdout);
      assert.equal(stat?.pgrp, child.pid);
      assert.equal(Number(stat?.fields[6 - 1]), child.pid, "field 6: the session");
    });

    test("a start time the launcher reports is the child's own (/proc/<pid>/stat field 22)", async () => {
      const child = await start(["/bin/sh", "-c", "cat /proc/$$/stat"]);
      const out = await finish(child);
      const own = parseProcStat(out.stdout)?.startTime;
      assert.ok(own !== undefined && own > 0);
      if (name.startsWith("native")) assert.equal(child.startTime, own);
      else assert.equal(child.startTime, undefined); // child_process does not read it: the runner does
    });

    test("stdin is /dev/null, no descriptor of the agent leaks, no signal is ignored or blocked", async () => {
      const other = await start(["/bin/sleep", "5"]); // its pipes must not reach the next child
      const fds = await finish(await start(["/bin/ls", "-l", "/proc/self/fd/"]));
      process.kill(-other.pid, "SIGKILL");
      await finish(other);
      const open = fds.stdout.split("\n").flatMap((l) => / (\d+) -> /.exec(l)?.[1] ?? []);
      const inherited = inheritableFds();
      // 0-2, the directory ls reads (its highest descriptor), and what this process itself inherited.
      const extra = open.filter((fd) => Number(fd) > 2 && !inherited.has(fd)).sort((a, b) => Number(a) - Number(b));
      assert.equal(extra.length, 1, fds.stdout);
      assert.match(fds.stdout, / 0 -> \/dev\/null/);
      const sigs = await finish(await start(["/bin/grep", "-E", "^Sig(Ign|Blk):", "/proc/self/status"]));
      assert.deepEqual(sigs.stdout.trimEnd().split("\n"), ["SigBlk:\t0000000000000000", "SigIgn:\t0000000000000000"]);
    });

    test("stdout and stderr arrive on their own pipes", async () => {
      const out = await finish(await start(["/bin/sh", "-c", "echo out; echo err >&2; exit 3"]));
      assert.deepEqual(out, { stdout: "out\n", stderr: "err\n", code: 3, signal: null });
    });

    test("output of several MiB arrives whole and in order, on each stream", async () => {
      const lines = 500_000;
      const out = await finish(await start(["/bin/sh", "-c", `seq 1 ${lines}; seq 1 ${lines} >&2`]));
      const expected = Array.from({ length: lines }, (_, i) => `${i + 1}\n`).join("");
      assert.ok(expected.length > 2 * 1024 * 1024);
      assert.equal(out.stdout, expected);
      assert.equal(out.stderr, expected);
    });

    test("events that come before their listeners are kept for them", async () => {
      const child = await start(["/bin/sh", "-c", "echo early; echo late >&2; exit 4"]);
      await new Promise((r) => setTimeout(r, 200)); // the task has ended and its pipes are closed by now
      assert.deepEqual(await finish(child), { stdout: "early\n", stderr: "late\n", code: 4, signal: null });
    });

    test("abandoned output: pipes held by a process outside the group are closed, each stream reports its end once", async () => {
      // The duration carries the marker: the escaped process's command line is just `sleep …`.
      const marker = `sleep 30.${process.pid}${name.length}`;
      const child = await start(["/bin/sh", "-c", `setsid ${marker} & echo started`]);
      const events: string[] = [];
      child.onOutput((stream, chunk) => events.push(chunk === null ? `${stream} closed` : `${stream}: ${chunk.toString().trim()}`));
      await new Promise((resolve) => child.onExit(resolve));
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(events, ["stdout: started"], "the escaped process still holds the pipes");
      const fdsBefore = readdirSync("/proc/self/fd").length;
      child.abandonOutput();
      child.abandonOutput(); // a second call changes nothing
      assert.deepEqual(events, ["stdout: started", "stdout closed", "stderr closed"]);
      assert.equal(readdirSync("/proc/self/fd").length, fdsBefore - 2, "both read ends closed");
      spawnSync("pkill", ["-f", marker]);
    });

    test("a signalled leader reports the signal's name; a late listener still hears the end", async () => {
      const child = await start(["/bin/sh", "-c", "kill -TERM $$"]);
      const first = await finish(child);
      assert.deepEqual([first.code, first.signal], [null, "SIGTERM"]);
      const late = await new Promise((resolve) => child.onExit((code, signal) => resolve([code, signal])));
      assert.deepEqual(late, [null, "SIGTERM"]);
    });

    test("nothing started: the errno error, with its code", async () => {
      const dir = mkdtempSync(join(tmpdir(), "svcmgr-spawn-"));
      try {
        await assert.rejects(start([join(dir, "missing")]), { code: "ENOENT" });
        const notExec = join(dir, "data");
        writeFileSync(notExec, "#!/bin/sh\n");
        chmodSync(notExec, 0o644);
        await assert.rejects(start([notExec]), { code: "EACCES" });
        await assert.rejects(start(["/bin/true"], {}, join(dir, "no-such-dir")), { code: "ENOENT" });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test("a file with neither #! nor a binary header runs under /bin/sh, as execvp does", async () => {
      const dir = mkdtempSync(join(tmpdir(), "svcmgr-spawn-"));
      try {
        const script = join(dir, "plain");
        writeFileSync(script, 'echo "plain $1"\n', { mode: 0o755 });
        assert.deepEqual(await finish(await start([script, "arg"])), { stdout: "plain arg\n", stderr: "", code: 0, signal: null });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test("200 children at once: every end reported, no descriptor left open", async () => {
      const before = readdirSync("/proc/self/fd").length;
      const ends = await Promise.all(Array.from({ length: 200 }, (_, i) => start(["/bin/sh", "-c", `exit ${i % 7}`]).then(finish)));
      assert.deepEqual(ends.map((e) => e.code), ends.map((_, i) => i % 7));
      await new Promise((r) => setImmediate(r)); // Node's streams close their descriptors on the next turn
      // Earlier tests' handles may still be closing, so fewer is possible; one leak per child would show as hundreds.
      assert.ok(readdirSync("/proc/self/fd").length <= before, "descriptors left open");
    });

    test("a NUL byte in an argument is refused before anything starts", async () => {
      await assert.rejects(start(["/bin/echo", "a\0b"]), { code: "ERR_INVALID_ARG_VALUE" });
    });
  });
}
