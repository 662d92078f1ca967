import { readFileSync } from "node:fs";

/**
 * Linux process identity from /proc. A pid alone is not an identity (pids are reused);
 * (pid, start time) is, within one boot. Start time is `/proc/<pid>/stat` field 22:
 * clock ticks since boot.
 */

interface StatFields {
  readonly state: string;
  readonly startTime: number;
}

/** Parses /proc/<pid>/stat text. The command (field 2) may hold spaces and ')'. */
export function parseProcStat(text: string): StatFields | null {
  const close = text.lastIndexOf(")");
  if (close < 0) return null;
  const rest = text.slice(close + 2).split(" "); // rest[0] is field 3 (state)
  const startTime = Number(rest[22 - 3]);
  if (rest[0] === undefined || !Number.isSafeInteger(startTime)) return null;
  return { state: rest[0], startTime };
}

function readStat(pid: number): StatFields | null {
  if (!Number.isSafeInteger(pid) || pid <= 0) return null;
  try {
    return parseProcStat(readFileSync(`/proc/${pid}/stat`, "latin1"));
  } catch {
    return null;
  }
}

/** The process's start time in clock ticks since boot, or null (no such process, no /proc). */
export function processStartTime(pid: number): number | null {
  return readStat(pid)?.startTime ?? null;
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
  const stat = readStat(pid);
  if (stat === null) return procAvailable() ? false : signalZeroAlive(pid);
  if (stat.state === "Z" || stat.state === "X") return false;
  return pidStartTime === null || stat.startTime === pidStartTime;
}

let procChecked: boolean | null = null;
function procAvailable(): boolean {
  procChecked ??= readStat(process.pid) !== null;
  return procChecked;
}
