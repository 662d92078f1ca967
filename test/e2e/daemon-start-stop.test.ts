import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { baseEnv, CLI, collect, hasStackTrace, isRoot, makeRoot, type CliResult, type TestRoot } from "./helpers.js";
import { isProcessAlive } from "../../src/platform/liveness.js";

/**
 * `daemon start` says "daemon started" only when the daemon it started is the one running;
 * refused operations (another user's daemon, a history the user cannot open) are clear errors
 * with exit 2, never "internal error" (70).
 */
describe("daemon start and stop", { concurrency: 2 }, () => {
  const conf = "[task#0]\ncommand = true\nschedule = @1h\n";

  async function stopDaemon(root: TestRoot): Promise<void> {
    await root.run(["daemon", "stop", "--timeout", "20s"], { timeoutMs: 30_000 });
  }

  test("concurrent starts: exactly one says daemon started; the others name the running daemon and exit 1", async (t) => {
    const root = makeRoot();
    root.writeConf("s", conf);
    t.after(async () => {
      await stopDaemon(root);
      root.cleanup();
    });
    const results = await Promise.all(Array.from({ length: 4 }, () => root.run(["daemon", "start"], { timeoutMs: 30_000 })));
    const winners = results.filter((r) => r.status === 0);
    assert.equal(winners.length, 1, results.map((r) => `${r.status} ${r.stdout}${r.stderr}`).join("\n"));
    const pid = Number(/^daemon started \(pid (\d+)\)/.exec(winners[0]!.stdout)?.[1]);
    assert.ok(pid > 0 && isProcessAlive(pid, null), winners[0]!.stdout);
    for (const r of results.filter((x) => x.status !== 0)) {
      assert.equal(r.status, 1, r.stderr);
      assert.equal(r.stdout, "");
      assert.equal(r.stderr, `svcmgr: a daemon is already running (pid ${pid})\n`);
    }
    const status = await root.run(["daemon", "status", "--format", "json"]);
    assert.equal((JSON.parse(status.stdout) as { pid: number }).pid, pid);
  });

  /** `svcmgr --root DIR ARGS` as the unprivileged user nobody. */
  function asNobody(root: TestRoot, args: readonly string[]): Promise<CliResult> {
    const child = spawn("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, CLI, "--root", root.dir, ...args], {
      env: baseEnv(),
      stdio: ["ignore", "pipe", "pipe"],
    });
    return collect(child);
  }

  const refusedClearly = (r: CliResult) => {
    assert.equal(r.status, 2, r.stderr);
    assert.doesNotMatch(r.stderr, /internal error/);
    assert.ok(!hasStackTrace(r.stderr), r.stderr);
  };

  test("as another user: daemon stop is refused with exit 2 and says why; the daemon keeps running", { skip: !isRoot && "needs root to run a command as another user" }, async (t) => {
    const root = makeRoot();
    root.writeConf("s", conf);
    t.after(async () => {
      await stopDaemon(root);
      root.cleanup();
    });
    const start = await root.run(["daemon", "start"], { timeoutMs: 30_000 });
    assert.equal(start.status, 0, start.stderr);
    const pid = Number(/\(pid (\d+)\)/.exec(start.stdout)?.[1]);
    const stop = await asNobody(root, ["daemon", "stop"]);
    refusedClearly(stop);
    assert.equal(stop.stderr, `svcmgr: not permitted to stop the daemon (pid ${pid}): it runs as another user; run svcmgr daemon stop as root or as that user\n`);
    assert.ok(isProcessAlive(pid, null));
  });

  test("as another user: a history it cannot open is a permission error (exit 2), not an internal error", { skip: !isRoot && "needs root to run a command as another user" }, async (t) => {
    const root = makeRoot();
    root.writeConf("s", conf);
    t.after(() => root.cleanup());
    assert.equal((await root.runTasks("s")).status, 0);
    const r = await asNobody(root, ["-s", "s", "print", "history"]);
    refusedClearly(r);
    assert.match(r.stderr, /^svcmgr: permission denied: this user \(uid 65534\) cannot read and write the run history database .*history\.sqlite; run as root/);
  });
});
