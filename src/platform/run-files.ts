import { closeSync, openSync, readdirSync, readFileSync, statSync, writeSync } from "node:fs";
import { withDirLock } from "./dir-lock.js";
import { ensureDir, removeFile } from "./fs-util.js";
import { join } from "node:path";
import type { RunSlotGrant, RunSlots } from "../run/ports.js";
import { isProcessAlive, ownStartTime } from "../history/liveness.js";

/**
 * max_parallel through run files in `<var>/<rid>/run/`.
 *
 * Each svcmgr process owns files there named `<pid>-<n>` and reuses them run after run, so a
 * run allocates no inode (creating and deleting a file per run is what costs most on a busy
 * ext4). A file holds JSON naming its owner (the svcmgr process) and, while a run holds it,
 * the run's session and, once spawned, the task's own process, each with its start time.
 *
 * Invariants:
 * - a file counts as a running task unless it is marked idle, and only while its owner or its
 *   child is alive with the recorded start time (a reused pid has another start time); a file
 *   whose owner and child are gone is stale and removed before counting;
 * - counting and claiming happen under the run dir's lock (dir-lock.ts: flock on the
 *   directory, which allocates nothing and dies with its holder);
 * - a file is rewritten in place and never gets shorter (JSON padded with spaces), so it is
 *   never empty or cut short; a file that does not parse is counted as running while it is
 *   recent (a reader may catch a write half done) and is stale after UNREADABLE_STALE_MS;
 * - a process removes its idle files when it exits; a killed one leaves them to the next counter.
 */
interface RunFile {
  readonly owner: { pid: number; startTime: number | null };
  readonly idle?: true;
  readonly session?: string;
  readonly child?: { pid: number; startTime: number | null };
}

/** An unreadable run file younger than this is counted as running. */
const UNREADABLE_STALE_MS = 60_000;

/** One of this process's files: the path, its current length, and whether a run holds it. */
interface OwnFile {
  readonly path: string;
  length: number;
  busy: boolean;
}

/** This process's run files, by run dir. Process-wide: every service's slots share it. */
const ownFiles = new Map<string, OwnFile[]>();

export function createRunSlots(varDir: string): RunSlots {
  return {
    acquire(rid, maxParallel, session) {
      const dir = join(varDir, rid, "run");
      ensureDir(dir);
      const take = (own: OwnFile) => withDirLock(dir, () => claim(dir, own, maxParallel, session));
      const own = idleOwnFile(dir);
      try {
        return take(own);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
        forget(dir, own); // removed behind svcmgr's back: start a new one
        return take(idleOwnFile(dir));
      }
    },
  };
}

function claim(dir: string, own: OwnFile, maxParallel: number, session: string): RunSlotGrant {
  const running = liveRunFiles(dir);
  if (running >= maxParallel) return { ok: false, running };
  const owner = thisProcess();
  // Kept open for the run: the child is added in place.
  const fd = openSync(own.path, "r+");
  own.busy = true;
  rewrite(fd, own, { owner, session });
  return {
    ok: true,
    attachChild(pid, startTime) {
      rewrite(fd, own, { owner, session, child: { pid, startTime } });
    },
    release() {
      try {
        rewrite(fd, own, { owner, idle: true });
      } finally {
        closeSync(fd);
        own.busy = false;
      }
    },
  };
}

/** Writes `content` over the whole file, padded so the file never gets shorter. */
function rewrite(fd: number, own: OwnFile, content: RunFile): void {
  const text = JSON.stringify(content).padEnd(own.length, " ");
  writeSync(fd, text, 0);
  own.length = Math.max(own.length, Buffer.byteLength(text));
}

/** An idle file of this process in `dir`, created when all of them are busy. */
function idleOwnFile(dir: string): OwnFile {
  let files = ownFiles.get(dir);
  if (files === undefined) ownFiles.set(dir, (files = []));
  const idle = files.find((f) => !f.busy);
  if (idle !== undefined) return idle;
  const text = JSON.stringify({ owner: thisProcess(), idle: true } satisfies RunFile);
  for (let n = files.length; ; n++) {
    const path = join(dir, `${process.pid}-${n}`);
    let fd: number;
    try {
      fd = openSync(path, "wx"); // a file of a dead process that had our pid may still matter
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") continue;
      throw e;
    }
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    const own: OwnFile = { path, length: Buffer.byteLength(text), busy: false };
    files.push(own);
    removeOwnFilesAtExit();
    return own;
  }
}

function forget(dir: string, own: OwnFile): void {
  const files = ownFiles.get(dir) ?? [];
  const i = files.indexOf(own);
  if (i >= 0) files.splice(i, 1);
}

let exitHooked = false;
function removeOwnFilesAtExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.once("exit", () => {
    for (const files of ownFiles.values()) {
      for (const f of files) if (!f.busy) removeFile(f.path);
    }
  });
}

const thisProcess = (): RunFile["owner"] => ({ pid: process.pid, startTime: ownStartTime() });

/** Counts the runs holding a file in `dir`, removing stale files. */
export function liveRunFiles(dir: string): number {
  const own = new Map((ownFiles.get(dir) ?? []).map((f) => [f.path, f]));
  let live = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const mine = own.get(path);
    if (mine !== undefined) {
      if (mine.busy) live++;
      continue;
    }
    const state = fileState(path);
    if (state === "running") live++;
    else if (state === "stale") removeFile(path);
  }
  return live;
}

function fileState(path: string): "running" | "idle" | "stale" | "gone" {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return "gone";
  }
  let f: RunFile;
  try {
    f = JSON.parse(text) as RunFile;
  } catch {
    return unreadableState(path);
  }
  if (typeof f?.owner?.pid !== "number") return unreadableState(path);
  if (f.child !== undefined && isProcessAlive(f.child.pid, f.child.startTime)) return "running";
  if (!isProcessAlive(f.owner.pid, f.owner.startTime)) return "stale";
  return f.idle === true ? "idle" : "running";
}

function unreadableState(path: string): "running" | "stale" | "gone" {
  try {
    return Date.now() - statSync(path).mtimeMs < UNREADABLE_STALE_MS ? "running" : "stale";
  } catch {
    return "gone";
  }
}
