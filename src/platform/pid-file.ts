import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { isProcessAlive, processStartTime } from "../history/liveness.js";

/**
 * One daemon per root: `<var>/daemon.pid` holds `{"pid":…,"startTime":…,"startedAt":…}` and is
 * created with O_EXCL. A file naming a process that is gone (or a reused pid, told apart by
 * its start time) is stale and replaced.
 */
export interface PidInfo {
  readonly pid: number;
  readonly startTime: number | null;
  readonly startedAt: number;
}

export function readPidFile(path: string): PidInfo | null {
  try {
    const info = JSON.parse(readFileSync(path, "utf8")) as PidInfo;
    return Number.isInteger(info.pid) ? info : null;
  } catch {
    return null;
  }
}

export function livePid(path: string): PidInfo | null {
  const info = readPidFile(path);
  return info !== null && isProcessAlive(info.pid, info.startTime) ? info : null;
}

/** Takes the pid file, or returns the live owner that holds it. */
export function acquirePidFile(path: string, now: number): { ok: true; release(): void } | { ok: false; owner: PidInfo } {
  mkdirSync(dirname(path), { recursive: true });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o644);
      writeSync(fd, JSON.stringify({ pid: process.pid, startTime: processStartTime(process.pid), startedAt: now } satisfies PidInfo));
      closeSync(fd);
      return { ok: true, release: () => releaseIfOurs(path) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const owner = livePid(path);
      if (owner !== null) return { ok: false, owner };
      rmSync(path, { force: true });
    }
  }
  const owner = readPidFile(path);
  return { ok: false, owner: owner ?? { pid: 0, startTime: null, startedAt: 0 } };
}

function releaseIfOurs(path: string): void {
  if (readPidFile(path)?.pid === process.pid) rmSync(path, { force: true });
}
