import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { setTimeout as delay } from "node:timers/promises";
import { isProcessAlive, processStartTime } from "../../src/platform/liveness.js";
import { readProcStat } from "../../src/platform/proc-stat.js";

const stateOf = (pid: number) => readProcStat(pid)?.state;

/** Polls a condition the kernel will soon make true (no event exists for it). */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await delay(10);
  assert.ok(cond(), "condition not reached in 5 s");
}

test("this process is alive with its own start time, not with another", () => {
  const start = processStartTime(process.pid);
  assert.equal(typeof start, "number");
  assert.equal(isProcessAlive(process.pid, start), true);
  assert.equal(isProcessAlive(process.pid, start! + 1), false, "same pid, other start time: a reused pid");
  assert.equal(isProcessAlive(process.pid, null), true);
});

test("a process that exited is gone", async () => {
  const child = spawn(process.execPath, ["-e", "0"], { stdio: "ignore" });
  const pid = child.pid!;
  const start = processStartTime(pid);
  await once(child, "exit");
  assert.equal(isProcessAlive(pid, start), false);
  assert.equal(processStartTime(pid), null);
});

test("an unreapable zombie counts as gone", async () => {
  // The shell's child exits at once; the shell does not wait for it while it sleeps.
  const sh = spawn("/bin/sh", ["-c", "sleep 0 & echo $!; exec sleep 5"], { stdio: ["ignore", "pipe", "ignore"] });
  const [line] = (await once(sh.stdout!, "data")) as [Buffer];
  const zombie = Number(line.toString().trim());
  try {
    await until(() => stateOf(zombie) === "Z");
    assert.equal(isProcessAlive(zombie, null), false);
  } finally {
    sh.kill("SIGKILL");
  }
});

test("nonsense pids are not alive", () => {
  for (const pid of [0, -1, 1.5, Number.NaN, 2 ** 40]) assert.equal(isProcessAlive(pid, null), false, String(pid));
});
