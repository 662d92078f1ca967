import { closeSync, existsSync, fstatSync, openSync, readdirSync, readSync, statSync, writeSync } from "node:fs";
import { withDirLock } from "./dir-lock.js";
import { ensureDir, NOFOLLOW, removeFile } from "./fs-util.js";
import { join } from "node:path";
import type { RunSlotGrant, RunSlots } from "../core/run-ports.js";
import { taskRunDir } from "../core/paths.js";
import { isProcessAlive, ownStartTime } from "./liveness.js";

/**
 * max_parallel through run files in `<var>/<rid>/run/`.
 *
 * A run holds one file there, JSON naming its owner (the svcmgr process) and, while a run
 * holds it, the run's session and, once spawned, the task's own process, each with its start
 * time. Files are reused, never deleted after a run: a process keeps its files for its next
 * runs, and a file whose owner has exited is taken over by the next run of any process. So
 * runs allocate no inode once a task has run (creating and deleting files is what costs most
 * on a busy ext4), whether in the daemon or in a CLI process that lives for one run.
 *
 * Invariants:
 * - a file counts as a running task unless it is marked idle, and only while its owner or its
 *   child is alive with the recorded start time (a reused pid has another start time); a file
 *   whose owner and child are gone is stale;
 * - counting, claiming and taking over stale files happen under the run dir's lock
 *   (dir-lock.ts: flock on the directory, which allocates nothing and dies with its holder);
 *   a count without the lock (status) only reads;
 * - a process never writes a file while another live process owns it, and trusts its own
 *   files without reading them (nobody else writes them while it lives);
 * - a file is rewritten in place and never gets shorter (JSON padded with spaces to the
 *   length read or written last), so it is never empty or cut short; a file that does not
 *   parse is counted as running while it is recent (a reader may catch a write half done),
 *   and is removed once older than UNREADABLE_STALE_MS.
 * A file's name (`<pid>-<n>` of the process that created it) only makes it unique; its owner
 * is what it says. As root, only a regular file root owns says anything: any other entry
 * (planted by another user, a symlink, a FIFO) is removed like an unreadable file, so it can
 * neither block a task nor make root write through it.
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
      const dir = taskRunDir(varDir, rid);
      ensureDir(dir);
      const take = () => withDirLock(dir, () => claim(dir, maxParallel, session));
      try {
        return take();
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
        forgetRemoved(dir); // removed behind svcmgr's back
        return take();
      }
    },
  };
}

/** Under the run dir's lock. */
function claim(dir: string, maxParallel: number, session: string): RunSlotGrant {
  const scan = scanRunDir(dir);
  for (const path of scan.unreadable) removeFile(path);
  if (scan.live >= maxParallel) return { ok: false, running: scan.live };
  const own = idleOwnFile(dir) ?? takeOver(dir, scan.stale) ?? createOwnFile(dir);
  const owner = thisProcess();
  // Kept open for the run: the child is added in place.
  const fd = openSync(own.path, NOFOLLOW.rewrite);
  own.busy = true;
  try {
    rewrite(fd, own, { owner, session });
  } catch (e) {
    own.busy = false;
    closeSync(fd);
    throw e;
  }
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

function ownFilesOf(dir: string): OwnFile[] {
  let files = ownFiles.get(dir);
  if (files === undefined) ownFiles.set(dir, (files = []));
  return files;
}

function forgetRemoved(dir: string): void {
  const files = ownFiles.get(dir);
  if (files !== undefined) ownFiles.set(dir, files.filter((f) => f.busy || existsSync(f.path)));
}

function idleOwnFile(dir: string): OwnFile | undefined {
  return ownFiles.get(dir)?.find((f) => !f.busy);
}

/** Makes a stale file (its owner and child gone) this process's own. */
function takeOver(dir: string, stale: readonly StaleFile[]): OwnFile | undefined {
  const file = stale[0];
  if (file === undefined) return undefined;
  const own: OwnFile = { path: file.path, length: file.length, busy: false };
  ownFilesOf(dir).push(own);
  return own;
}

function createOwnFile(dir: string): OwnFile {
  const files = ownFilesOf(dir);
  const text = JSON.stringify({ owner: thisProcess(), idle: true } satisfies RunFile);
  for (let n = files.length; ; n++) {
    const path = join(dir, `${process.pid}-${n}`);
    let fd: number;
    try {
      fd = openSync(path, "wx", 0o644); // a name taken by another file stays that file's (O_EXCL follows no symlink)
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
    return own;
  }
}

const thisProcess = (): RunFile["owner"] => ({ pid: process.pid, startTime: ownStartTime() });

/** A file no live process holds, and how long it is. */
interface StaleFile {
  readonly path: string;
  readonly length: number;
}

interface RunDirScan {
  /** Runs holding a file. */
  readonly live: number;
  /** Files whose owner and child are gone: free to take over. */
  readonly stale: StaleFile[];
  /** Files that do not parse and are too old to be a write half done. */
  readonly unreadable: string[];
}

/** Counts the runs holding a file in `dir`; reads only. */
export function liveRunFiles(dir: string): number {
  return scanRunDir(dir).live;
}

function scanRunDir(dir: string): RunDirScan {
  const own = new Map((ownFiles.get(dir) ?? []).map((f) => [f.path, f]));
  const scan: RunDirScan & { live: number } = { live: 0, stale: [], unreadable: [] };
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const mine = own.get(path);
    if (mine !== undefined) {
      if (mine.busy) scan.live++;
      continue;
    }
    const state = fileState(path);
    if (state.kind === "running") scan.live++;
    else if (state.kind === "stale") scan.stale.push({ path, length: state.length });
    else if (state.kind === "unreadable") scan.unreadable.push(path);
  }
  return scan;
}

type FileState = { kind: "running" | "idle" | "gone" | "unreadable" } | { kind: "stale"; length: number };

function fileState(path: string): FileState {
  let text: string | null;
  try {
    text = readTrusted(path);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "ENOENT" ? { kind: "gone" } : { kind: "unreadable" };
  }
  if (text === null) return { kind: "unreadable" };
  let f: RunFile;
  try {
    f = JSON.parse(text) as RunFile;
  } catch {
    return unreadableState(path);
  }
  if (typeof f?.owner?.pid !== "number") return unreadableState(path);
  if (f.child !== undefined && isProcessAlive(f.child.pid, f.child.startTime)) return { kind: "running" };
  if (!isProcessAlive(f.owner.pid, f.owner.startTime)) return { kind: "stale", length: Buffer.byteLength(text) };
  return { kind: f.idle === true ? "idle" : "running" };
}

/** Run files are a few hundred bytes. */
const MAX_RUN_FILE_BYTES = 64 * 1024;

/** The file's text, or null when it is not a regular file this process may trust (as root: root's own). */
function readTrusted(path: string): string | null {
  const fd = openSync(path, NOFOLLOW.read);
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || (process.geteuid?.() === 0 && st.uid !== 0)) return null;
    const buf = Buffer.alloc(Math.min(st.size, MAX_RUN_FILE_BYTES));
    return buf.toString("utf8", 0, readSync(fd, buf, 0, buf.length, 0));
  } finally {
    closeSync(fd);
  }
}

function unreadableState(path: string): FileState {
  try {
    return { kind: Date.now() - statSync(path).mtimeMs < UNREADABLE_STALE_MS ? "running" : "unreadable" };
  } catch {
    return { kind: "gone" };
  }
}
