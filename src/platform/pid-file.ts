import { closeSync, ftruncateSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import { ensureDir, NOFOLLOW } from "./fs-util.js";
import { dirname } from "node:path";
import { isProcessAlive, processStartTime } from "./liveness.js";
import { tryFlock } from "./flock.js";

/**
 * One daemon per root: `<var>/daemon.pid` holds `{"pid":…,"startTime":…,"startedAt":…}` for
 * `daemon status` and `daemon stop`, and is what makes a second daemon refuse to start.
 *
 * - Where flock works (the native addon): the daemon holds a flock on the file for its whole
 *   life. The kernel drops it when the daemon exits or is killed, so a file left by a dead
 *   daemon never blocks a start and there is nothing to break: of any number of daemons
 *   starting at once, exactly one gets the lock. The file is emptied at a clean stop, never
 *   removed (a daemon could otherwise lock a file another one has just unlinked).
 * - Otherwise: the file is created with O_EXCL and removed at stop; a file naming a process
 *   that is gone (or a reused pid, told apart by its start time) is stale and replaced. Two
 *   daemons starting at the same instant over a stale file could both get through here.
 */
export interface PidInfo {
  readonly pid: number;
  readonly startTime: number | null;
  readonly startedAt: number;
}

export type PidFileClaim = { ok: true; release(): void } | { ok: false; owner: PidInfo | null };

function readPidFile(path: string): PidInfo | null {
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

export interface PidFileOptions {
  /** "file": the O_EXCL way even where flock works. @default "flock" where it works */
  readonly mechanism?: "flock" | "file";
}

/** Takes the pid file, or returns the live owner that holds it (null: it has not written its pid yet). */
export function acquirePidFile(path: string, now: number, options: PidFileOptions = {}): PidFileClaim {
  ensureDir(dirname(path));
  const content = JSON.stringify({ pid: process.pid, startTime: processStartTime(process.pid), startedAt: now } satisfies PidInfo);
  return (options.mechanism === "file" ? null : lockPidFile(path, content)) ?? createPidFile(path, content);
}

/** The flock way; null when flock cannot be used here. */
function lockPidFile(path: string, content: string): PidFileClaim | null {
  const fd = openSync(path, NOFOLLOW.update, 0o644);
  let taken: boolean | null;
  try {
    taken = tryFlock(fd);
    if (taken === true) {
      ftruncateSync(fd, 0);
      writeSync(fd, content, 0);
    }
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  if (taken === true) {
    return {
      ok: true,
      release: () => {
        ftruncateSync(fd, 0);
        closeSync(fd); // drops the lock
      },
    };
  }
  closeSync(fd);
  return taken === false ? { ok: false, owner: livePid(path) } : null;
}

/** The O_EXCL way, for filesystems without flock. */
function createPidFile(path: string, content: string): PidFileClaim {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o644);
      writeSync(fd, content);
      closeSync(fd);
      return { ok: true, release: () => releaseIfOurs(path) };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const owner = livePid(path);
      if (owner !== null) return { ok: false, owner };
      rmSync(path, { force: true }); // stale: replace it
    }
  }
  return { ok: false, owner: readPidFile(path) };
}

function releaseIfOurs(path: string): void {
  if (readPidFile(path)?.pid === process.pid) rmSync(path, { force: true });
}
