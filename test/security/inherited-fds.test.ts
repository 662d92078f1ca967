import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLI, collect, baseEnv, isRoot, makeRoot, REPO } from "../e2e/helpers.js";
import { nativeAddon } from "../../src/platform/native-addon.js";

/**
 * Issue 21: a descriptor svcmgr inherited without close-on-exec (here fd 300, opened by the
 * parent shell on a 0600 root file) reached every task, across the switch to `user = nobody`,
 * which could then write into the file. Both launchers must start tasks with fds 0-2 only.
 */
describe("inherited descriptors never reach a task", { concurrency: 2 }, () => {
  const PROBE = join(REPO, "test", "security", "fixtures", "fd-probe.ts");
  const nativeBuilt = nativeAddon()?.spawnSupported === true;
  const user = isRoot ? ["nobody"] : [];

  /** A 0600 file and `argv` started with fd 300 open on it for appending, without close-on-exec. */
  async function withFd300(t: { after(fn: () => void): void }, argv: string[], env: Record<string, string> = {}): Promise<{ stdout: string; stderr: string; status: number | null; secret: () => string }> {
    const dir = mkdtempSync(join(tmpdir(), "svcmgr-fd-"));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const secret = join(dir, "secret");
    writeFileSync(secret, "root only\n", { mode: 0o600 });
    const child = spawn("bash", ["-c", 'exec 300>>"$0"; exec "$@"', secret, ...argv], { cwd: REPO, env: baseEnv(env), stdio: ["ignore", "pipe", "pipe"] });
    const r = await collect(child, { timeoutMs: 30_000 });
    return { ...r, secret: () => readFileSync(secret, "utf8") };
  }

  for (const launcher of ["native", "node"] as const) {
    test(`${launcher} launcher${isRoot ? ", as nobody" : ""}: the task sees fds 0-2 only and cannot write to fd 300`, { skip: launcher === "native" && !nativeBuilt && "the native addon is not built" }, async (t) => {
      const r = await withFd300(t, [process.execPath, "--import", "tsx", PROBE, launcher, ...user]);
      assert.equal(r.status, 0, r.stderr);
      const probe = JSON.parse(r.stdout) as { fds: string[]; fdsExit: number; writeExit: number; writeOutput: string };
      assert.equal(probe.fdsExit, 0);
      // ls itself opens one directory to list it: 3.
      assert.deepEqual(probe.fds.filter((fd) => Number(fd) > 3), [], `descriptors open in the task: ${probe.fds.join(" ")}`);
      assert.notEqual(probe.writeExit, 0, "writing to fd 300 fails");
      assert.match(probe.writeOutput, /Bad file descriptor/);
      assert.equal(r.secret(), "root only\n", "the file is untouched");
    });
  }

  for (const [mode, env] of [["native addon where built", {}], ["SVCMGR_NATIVE=0", { SVCMGR_NATIVE: "0" }]] as const) {
    test(`svcmgr run${isRoot ? " with user = nobody" : ""}, ${mode}: the same through the CLI`, async (t) => {
      const root = makeRoot(t);
      const identity = isRoot ? "user = nobody\ncwd = /\n" : "";
      root.writeConf("fds", `[task#0]\ncommand = ls /proc/self/fd\n${identity}\n[task#1]\ncommand = bash -c 'echo pwned >&300'\n${identity}`);
      const r = await withFd300(t, [process.execPath, CLI, "--root", root.dir, "-s", "fds", "run"], env);
      assert.equal(r.status, 1, `task#1 fails: ${r.stdout}${r.stderr}`);
      const fds = r.stdout.split("\n").filter((l) => /^\d+$/.test(l));
      assert.deepEqual(fds.filter((fd) => Number(fd) > 3), [], `descriptors open in the task: ${fds.join(" ")}`);
      assert.match(r.stdout + r.stderr, /Bad file descriptor/);
      assert.equal(r.secret(), "root only\n");
    });
  }
});
