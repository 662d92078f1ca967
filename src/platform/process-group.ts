import { readdirSync } from "node:fs";
import { hasExited, readProcStat } from "./proc-stat.js";

/** Sends `signal` to every member of the process group `pgid`; a group already gone is no error. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

/**
 * True while the group has a member that is not a zombie. kill(-pgid, 0) alone is not enough:
 * orphaned members become zombies of init, which may reap them late, and a zombie holds
 * nothing. /proc/<pid>/stat is read only when kill says the group exists; without /proc,
 * the group counts as alive (the SIGKILL step still bounds the wait).
 */
export function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  let pids: string[];
  try {
    pids = readdirSync("/proc").filter((n) => /^\d+$/.test(n));
  } catch {
    return true;
  }
  return pids.some((pid) => isLiveMember(Number(pid), pgid));
}

function isLiveMember(pid: number, pgid: number): boolean {
  const stat = readProcStat(pid);
  return stat !== null && stat.pgrp === pgid && !hasExited(stat);
}
