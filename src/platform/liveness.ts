import { hasExited, readProcStat } from "./proc-stat.js";

/**
 * Linux process identity from /proc. A pid alone is not an identity (pids are reused);
 * (pid, start time) is, within one boot. Start time is `/proc/<pid>/stat` field 22:
 * clock ticks since boot.
 */

/** The process's start time in clock ticks since boot, or null (no such process, no /proc). */
export function processStartTime(pid: number): number | null {
  return readProcStat(pid)?.startTime ?? null;
}

let ownStart: number | null | undefined;
/** This process's own start time, read once (it never changes). */
export function ownStartTime(): number | null {
  if (ownStart === undefined) ownStart = processStartTime(process.pid);
  return ownStart;
}

function signalZeroAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // exists, owned by someone else
  }
}

/**
 * True when `pid` names a running process that started at `pidStartTime`. A zombie
 * counts as gone (it has exited). Without a recorded start time, or without /proc,
 * falls back to `kill(pid, 0)`, which cannot tell a reused pid.
 */
export function isProcessAlive(pid: number, pidStartTime: number | null): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  const stat = readProcStat(pid);
  if (stat === null) return procAvailable() ? false : signalZeroAlive(pid);
  if (hasExited(stat)) return false;
  return pidStartTime === null || stat.startTime === pidStartTime;
}

let procChecked: boolean | null = null;
function procAvailable(): boolean {
  procChecked ??= readProcStat(process.pid) !== null;
  return procChecked;
}
