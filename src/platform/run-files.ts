import { closeSync, openSync, readdirSync, readFileSync, writeFileSync, writeSync } from "node:fs";
import { ensureDir, removeFile } from "./fs-util.js";
import { join } from "node:path";
import type { RunSlotGrant, RunSlots } from "../run/ports.js";
import { isProcessAlive, processStartTime } from "../history/liveness.js";

/**
 * max_parallel through run files: `<var>/<rid>/run/<owner pid>-<session>` holds JSON naming
 * the svcmgr process that runs the task and, once spawned, the task's own process, each with
 * its start time. A run file is live while either process is alive with the same start time
 * (a reused pid has another start time), so a task survives as "running" even when the
 * svcmgr that started it was killed. Stale files are removed before counting.
 * Counting and creating happen under `run.lock`, created with O_EXCL and holding its owner's
 * pid; a lock whose owner is dead is broken.
 */
interface RunFile {
  readonly session: string;
  readonly owner: { pid: number; startTime: number | null };
  readonly child?: { pid: number; startTime: number | null };
}

export function createRunSlots(varDir: string): RunSlots {
  return {
    acquire(rid, maxParallel, session) {
      const dir = join(varDir, rid, "run");
      ensureDir(dir);
      return withLock(join(varDir, rid, "run.lock"), () => take(dir, maxParallel, session));
    },
  };
}

function take(dir: string, maxParallel: number, session: string): RunSlotGrant {
  const running = liveRunFiles(dir);
  if (running >= maxParallel) return { ok: false, running };
  const file = join(dir, `${process.pid}-${session}`);
  const owned: RunFile = { session, owner: { pid: process.pid, startTime: ownStartTime() } };
  // Kept open: the child is added in place. The new JSON is longer than the old, so it
  // overwrites it whole and the file is never empty or cut short for a concurrent reader.
  const fd = openSync(file, "w");
  writeSync(fd, JSON.stringify(owned));
  return {
    ok: true,
    attachChild(pid, startTime) {
      writeSync(fd, JSON.stringify({ ...owned, child: { pid, startTime } }), 0);
    },
    release() {
      closeSync(fd);
      removeFile(file);
    },
  };
}

let ownStart: number | null | undefined;
/** This process's start time, read once (it never changes). */
function ownStartTime(): number | null {
  if (ownStart === undefined) ownStart = processStartTime(process.pid);
  return ownStart;
}

/** Counts live run files, removing stale ones. */
export function liveRunFiles(dir: string): number {
  let live = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (isLive(path)) live++;
    else removeFile(path);
  }
  return live;
}

function isLive(path: string): boolean {
  let f: RunFile;
  try {
    f = JSON.parse(readFileSync(path, "utf8")) as RunFile;
  } catch {
    return false;
  }
  return isProcessAlive(f.owner.pid, f.owner.startTime) || (f.child !== undefined && isProcessAlive(f.child.pid, f.child.startTime));
}

function withLock<T>(lockPath: string, fn: () => T): T {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      const fd = openSync(lockPath, "wx");
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      if (lockOwnerDead(lockPath) || Date.now() > deadline) removeFile(lockPath);
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
  try {
    return fn();
  } finally {
    removeFile(lockPath);
  }
}

function lockOwnerDead(lockPath: string): boolean {
  try {
    const pid = Number(readFileSync(lockPath, "utf8"));
    return !Number.isInteger(pid) || pid <= 0 || !isProcessAlive(pid, null);
  } catch {
    return false;
  }
}
