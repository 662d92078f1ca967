import { closeSync, constants, openSync, readFileSync, statSync, writeSync } from "node:fs";
import { isProcessAlive, ownStartTime } from "./liveness.js";
import { removeFile } from "./fs-util.js";
import { tryFlock } from "./flock.js";
import { sleepSync } from "./sleep-sync.js";

/**
 * A short exclusive lock on a directory, across svcmgr processes: the critical sections it
 * guards (count the run files, claim one) take microseconds.
 *
 * - With the native addon: flock(2) on the directory itself. Nothing is created or deleted,
 *   and the kernel drops the lock when its holder exits or is killed, so no lock is ever left
 *   behind.
 * - Without it, or on a filesystem without flock: `<dir>.lock`, created with O_EXCL and
 *   holding `{"owner":{"pid":…,"startTime":…}}`; a lock whose owner is gone is broken.
 *
 * Invariant: one mechanism per directory for every process of an installation (the addon is
 * built once for all of them), so two holders never rely on different locks.
 * Waiting is synchronous (the sections are tiny); after `waitMs` a holder that is still
 * alive is left alone and the caller gets a DirLockTimeout.
 */
const LOCK_WAIT_MS = 5000;
const RETRY_MS = 10;

export class DirLockTimeout extends Error {}

export interface DirLockOptions {
  /** How long to wait for a live holder. @default 5000 */
  readonly waitMs?: number;
  /** "file": the O_EXCL lock file even where flock works. @default "flock" where it works */
  readonly mechanism?: "flock" | "file";
}

export function withDirLock<T>(dir: string, fn: () => T, options: DirLockOptions = {}): T {
  const waitMs = options.waitMs ?? LOCK_WAIT_MS;
  const release = (options.mechanism === "file" ? null : lockWithFlock(dir, waitMs)) ?? lockWithFile(`${dir}.lock`, waitMs);
  try {
    return fn();
  } finally {
    release();
  }
}

/** The release function, or null when flock cannot be used here. */
function lockWithFlock(dir: string, waitMs: number): (() => void) | null {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  let taken: boolean | null;
  try {
    taken = tryFlock(fd);
    if (taken === false) waitFor(dir, waitMs, () => tryFlock(fd) === true);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
  if (taken === null) {
    closeSync(fd);
    return null;
  }
  return () => closeSync(fd); // closing the only descriptor of the open file drops the lock
}

function lockWithFile(lockPath: string, waitMs: number): () => void {
  const owner = JSON.stringify({ owner: { pid: process.pid, startTime: ownStartTime() } });
  waitFor(lockPath, waitMs, () => {
    if (createExclusive(lockPath, owner)) return true;
    if (!lockOwnerDead(lockPath)) return false;
    removeFile(lockPath); // left by a process that is gone: break it and try again at once
    return createExclusive(lockPath, owner);
  });
  return () => removeFile(lockPath);
}

function waitFor(what: string, waitMs: number, attempt: () => boolean): void {
  const deadline = Date.now() + waitMs;
  while (!attempt()) {
    if (Date.now() > deadline) throw new DirLockTimeout(`${what} is locked by another process for more than ${waitMs / 1000} s`);
    sleepSync(RETRY_MS);
  }
}

function createExclusive(path: string, content: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, "wx", 0o644); // O_EXCL follows no symlink
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw e;
  }
  try {
    writeSync(fd, content);
  } catch (e) {
    removeFile(path); // a lock that names no owner (a full disk) would block every later run
    throw e;
  } finally {
    closeSync(fd);
  }
  return true;
}

/** A lock file is written right after it is created: one still without an owner after this was left by a killed process. */
const NAMELESS_STALE_MS = 2000;

function nameless(lockPath: string): boolean {
  try {
    return Date.now() - statSync(lockPath).mtimeMs > NAMELESS_STALE_MS;
  } catch {
    return false; // gone already: the next attempt takes it
  }
}

/** The lock file names its owner (or, from an older svcmgr, holds the bare pid). */
function lockOwnerDead(lockPath: string): boolean {
  let text: string;
  try {
    text = readFileSync(lockPath, "utf8");
  } catch {
    return false; // gone already: the next attempt takes it
  }
  let owner: { pid: number; startTime: number | null };
  try {
    const parsed = JSON.parse(text) as { owner?: { pid: number; startTime: number | null } } | number;
    owner = typeof parsed === "number" ? { pid: parsed, startTime: null } : (parsed?.owner ?? { pid: 0, startTime: null });
  } catch {
    return nameless(lockPath); // being written, unless it has stayed nameless for too long
  }
  return !isProcessAlive(owner.pid, owner.startTime);
}
