import { closeSync, fstatSync, openSync, renameSync, rmSync, statSync, writeSync } from "node:fs";
import { ensureDir } from "./fs-util.js";
import { dirname } from "node:path";

/**
 * An append-only log file rotated by size: when it passes `maxBytes` it becomes `.1`, older
 * backups shift up to `backups`, the oldest is dropped. Several processes may append at once
 * (O_APPEND keeps each write whole); the size is checked before each write, so a file may
 * exceed the limit by at most one write per writer. A writer whose file was rotated by another
 * process reopens the path instead of rotating again.
 */
export interface RotatingFile {
  writeLine(text: string): void;
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
  return {
    writeLine(text) {
      fd ??= open();
      const st = fstatSync(fd);
      if (statSync(path, { throwIfNoEntry: false })?.ino !== st.ino) {
        // Another process rotated the file: follow it rather than rotate it again.
        closeSync(fd);
        fd = open();
      } else if (st.size >= maxBytes) {
        closeSync(fd);
        rotate(path, backups);
        fd = open();
      }
      writeSync(fd, text.endsWith("\n") ? text : text + "\n");
    },
    close() {
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
