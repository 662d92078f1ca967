import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { hasExited, readProcStat } from "./proc-stat.js";

/**
 * Killing every process of a cgroup, including those that left the task's session (setsid)
 * or forked while being killed:
 * - v2: `cgroup.kill` (Linux 5.14) kills the whole cgroup at once; before it, as v1.
 * - v1: freeze the cgroup (no process can fork or exit meanwhile), SIGKILL every process
 *   listed, thaw (the kills take effect), and again until the cgroup is empty.
 * Gives up after KILL_ROUNDS (a process in uninterruptible sleep can outlast them); the
 * caller sees the members that remain.
 */
export type KillTarget = { readonly version: 1 | 2; readonly dir: string };

const KILL_ROUNDS = 100;
const ROUND_PAUSE_MS = 10;
const FREEZE_WAIT_MS = 1000;

/** Pids in the cgroup that are not zombies (a zombie holds nothing; its parent reaps it). */
export function livePids(dir: string): number[] {
  let text: string;
  try {
    text = readFileSync(join(dir, "cgroup.procs"), "utf8");
  } catch {
    return [];
  }
  return text.split("\n").filter((l) => l !== "").map(Number).filter((pid) => {
    const stat = readProcStat(pid);
    return stat !== null && !hasExited(stat);
  });
}

export async function killCgroup(target: KillTarget): Promise<void> {
  if (target.version === 2 && existsSync(join(target.dir, "cgroup.kill"))) {
    for (let round = 0; round < KILL_ROUNDS && livePids(target.dir).length > 0; round++) {
      write(join(target.dir, "cgroup.kill"), "1");
      await sleep(ROUND_PAUSE_MS);
    }
    return;
  }
  for (let round = 0; round < KILL_ROUNDS && livePids(target.dir).length > 0; round++) {
    await freeze(target, true);
    for (const pid of livePids(target.dir)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone meanwhile
      }
    }
    await freeze(target, false);
    await sleep(ROUND_PAUSE_MS);
  }
}

/** Freezes (or thaws) and waits until the kernel says it is done, at most FREEZE_WAIT_MS. */
async function freeze(target: KillTarget, on: boolean): Promise<void> {
  const [file, value] = target.version === 1 ? ["freezer.state", on ? "FROZEN" : "THAWED"] : ["cgroup.freeze", on ? "1" : "0"];
  write(join(target.dir, file), value);
  if (!on) return;
  const deadline = Date.now() + FREEZE_WAIT_MS;
  while (!isFrozen(target) && Date.now() < deadline) await sleep(1);
}

function isFrozen(target: KillTarget): boolean {
  try {
    if (target.version === 1) return readFileSync(join(target.dir, "freezer.state"), "utf8").trim() === "FROZEN";
    return /^frozen 1$/m.test(readFileSync(join(target.dir, "cgroup.events"), "utf8"));
  } catch {
    return true;
  }
}

function write(file: string, value: string): void {
  try {
    writeFileSync(file, value);
  } catch {
    // the cgroup is gone: nothing left to kill
  }
}
