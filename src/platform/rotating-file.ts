import { closeSync, fstatSync, openSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { ensureDir } from "./fs-util.js";
import { dirname } from "node:path";
import { lineBatch } from "./line-batch.js";

/**
 * An append-only log file rotated by size: when it passes `maxBytes` it becomes `.1`, older
 * backups shift up to `backups`, the oldest is dropped. Several processes may append at once
 * (O_APPEND keeps each write whole); the size is checked before each write, so a file may
 * exceed the limit by at most one write per writer. A writer whose file was rotated by another
 * process reopens the path instead of rotating again.
 * Lines are written at the end of the event-loop turn, those of one turn in one write
 * (line-batch.ts); the size is still checked line by line, so rotation points do not move.
 */
export interface RotatingFile {
  writeLine(text: string): void;
  /** Writes pending lines, then closes the file. */
  close(): void;
}

export interface RotationOptions {
  readonly maxBytes?: number;
  readonly backups?: number;
}

export const DEFAULT_LOG_MAX_BYTES = 5 * 1024 * 1024;
export const DEFAULT_LOG_BACKUPS = 5;

export function openRotatingFile(path: string, opts: RotationOptions = {}): RotatingFile {
  const maxBytes = opts.maxBytes ?? DEFAULT_LOG_MAX_BYTES;
  const backups = opts.backups ?? DEFAULT_LOG_BACKUPS;
  let fd: number | null = null;
  const open = () => {
    ensureDir(dirname(path));
    return openSync(path, "a", 0o640);
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
  const writeLines = (lines: string[]) => {
    let size = currentSize();
    let chunk = "";
    for (const line of lines) {
      if (size >= maxBytes) {
        if (chunk !== "") writeSync(fd!, chunk);
        chunk = "";
        closeSync(fd!);
        rotate(path, backups);
        fd = open();
        size = 0;
      }
      chunk += line;
      size += Buffer.byteLength(line);
    }
    writeSync(fd!, chunk);
  };
  const batch = lineBatch(writeLines);
  return {
    writeLine: (text) => batch.push(text.endsWith("\n") ? text : text + "\n"),
    close() {
      batch.flush();
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}

function rotate(path: string, backups: number): void {
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
