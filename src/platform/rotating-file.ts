import { closeSync, fstatSync, openSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { ensureDir, NOFOLLOW } from "./fs-util.js";
import { dirname } from "node:path";
import { lineBatch } from "./line-batch.js";
import { UnsafePathError } from "../core/errors.js";

/**
 * An append-only log file rotated by size: when it passes `maxBytes` it becomes `.1`, older
 * backups shift up to `backups`, the oldest is dropped. Several processes may append at once
 * (O_APPEND keeps each write whole); the size is checked before each write, so a file may
 * exceed the limit by at most one write per writer. A writer whose file was rotated by another
 * process reopens the path instead of rotating again.
 * Lines are written at the end of the event-loop turn, those of one turn in one write
 * (line-batch.ts); the size is still checked line by line, so rotation points do not move.
 *
 * Invariant: writing never throws. Lines that cannot be written (a full disk, a removed
 * directory) are dropped and counted; the next batch tries again, and once it succeeds the
 * file gets one line (from `dropNote`) saying how many were lost and why.
 */
export interface RotatingFile {
  /** Opens the file now rather than at the first line, so that a path that cannot be written is reported to the caller. */
  openNow(): void;
  writeLine(text: string): void;
  /** Writes pending lines, then closes the file. */
  close(): void;
  /** Lines dropped so far because the file could not be written (only grows). */
  readonly dropped: number;
  /** Why the last failed write failed; null when none ever did. */
  readonly lastError: string | null;
}

export interface RotationOptions {
  readonly maxBytes?: number;
  readonly backups?: number;
  /** The line written when writing works again after `count` lines were dropped. */
  readonly dropNote?: (count: number, error: string) => string;
}

const DEFAULT_LOG_MAX_BYTES = 5 * 1024 * 1024;
const DEFAULT_LOG_BACKUPS = 5;

const defaultNote = (count: number, error: string) => `svcmgr: ${count} line(s) dropped: this file could not be written (${error})`;

export function openRotatingFile(path: string, opts: RotationOptions = {}): RotatingFile {
  const maxBytes = opts.maxBytes ?? DEFAULT_LOG_MAX_BYTES;
  const backups = opts.backups ?? DEFAULT_LOG_BACKUPS;
  const note = opts.dropNote ?? defaultNote;
  let fd: number | null = null;
  let dropped = 0;
  let unreported = 0;
  let lastError: string | null = null;
  /** The file may end inside a line: a write failed part way. */
  let cut = false;
  const open = () => {
    ensureDir(dirname(path));
    try {
      return openSync(path, NOFOLLOW.append, 0o640); // never through a symlink planted at its name
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ELOOP") throw e;
      throw new UnsafePathError(`refusing to write ${path}: it is a symlink, and svcmgr never writes a log through one (remove it)`);
    }
  };
  /** The open file's size, after following a rotation done by another process. */
  const currentSize = (): number => {
    fd ??= open();
    const st = fstatSync(fd);
    if (statSync(path, { throwIfNoEntry: false })?.ino === st.ino) return st.size;
    closeSync(fd);
    fd = open();
    return fstatSync(fd).size;
  };
  /** Writes `lines`, rotating on the way; `progress.done` counts those written before a failure throws. */
  const writeLines = (lines: string[], progress: { done: number }) => {
    let size = currentSize();
    let chunk: string[] = [];
    const put = () => {
      try {
        if (chunk.length > 0) writeAll(fd!, chunk.join(""));
      } catch (e) {
        throw countWritten(e as WriteError, chunk, progress);
      }
      progress.done += chunk.length;
      chunk = [];
    };
    for (const line of lines) {
      if (size >= maxBytes) {
        put();
        closeSync(fd!);
        fd = null;
        rotate(path, backups);
        fd = open();
        size = 0;
      }
      chunk.push(line);
      size += Buffer.byteLength(line);
    }
    put();
  };
  const writeBatch = (lines: string[]) => {
    // After a write cut short, the note starts on a line of its own.
    const noteLine = () => (cut ? "\n" : "") + asLine(note(unreported, lastError ?? "unknown error"));
    const withNote = unreported > 0 ? [noteLine(), ...lines] : lines;
    const progress = { done: 0 };
    try {
      writeLines(withNote, progress);
      unreported = 0;
      cut = false;
    } catch (e) {
      const hadNote = withNote !== lines;
      const noteWritten = hadNote && progress.done > 0;
      const lost = withNote.length - progress.done - (hadNote && !noteWritten ? 1 : 0);
      dropped += lost;
      unreported = (noteWritten ? 0 : unreported) + lost;
      lastError = (e as Error).message;
      cut = (e as WriteError).partial === true || (cut && progress.done === 0);
      closeQuietly(fd);
      fd = null; // reopened (and re-checked) on the next batch
    }
  };
  const batch = lineBatch(writeBatch);
  return {
    openNow: () => void (fd ??= open()),
    writeLine: (text) => batch.push(asLine(text)),
    close() {
      batch.flush();
      closeQuietly(fd);
      fd = null;
    },
    get dropped() {
      return dropped;
    },
    get lastError() {
      return lastError;
    },
  };
}

const asLine = (text: string) => (text.endsWith("\n") ? text : text + "\n");

type WriteError = Error & { written?: number; partial?: boolean };

/** Writes all of `text`; an error says how many bytes went out before it (`written`). */
function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text);
  let done = 0;
  try {
    while (done < buf.length) done += writeSync(fd, buf, done, buf.length - done);
  } catch (e) {
    (e as WriteError).written = done;
    throw e;
  }
}

/** Counts the lines of a failed write that reached the file whole; marks the error `partial` when one was cut. */
function countWritten(e: WriteError, chunk: readonly string[], progress: { done: number }): WriteError {
  const written = e.written ?? 0;
  let bytes = 0;
  for (const line of chunk) {
    if (bytes + Buffer.byteLength(line) > written) break;
    bytes += Buffer.byteLength(line);
    progress.done++;
  }
  e.partial = bytes < written;
  return e;
}

function closeQuietly(fd: number | null): void {
  if (fd === null) return;
  try {
    closeSync(fd);
  } catch {
    // nothing more can be done with it
  }
}

function rotate(path: string, backups: number): void {
  if (backups < 1) return rmSync(path, { force: true });
  rmSync(`${path}.${backups}`, { force: true });
  for (let i = backups - 1; i >= 1; i--) {
    try {
      renameSync(`${path}.${i}`, `${path}.${i + 1}`);
    } catch {
      // a missing backup is fine
    }
  }
  try {
    renameSync(path, `${path}.1`);
  } catch {
    // another process rotated it first
  }
}
