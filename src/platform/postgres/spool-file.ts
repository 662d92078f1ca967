import { closeSync, constants, existsSync, fdatasyncSync, fstatSync, openSync, readFileSync, readSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { parseSpool, spoolLine, type SpoolEntry } from "../../history/spool.js";
import { ensureDir, removeFile } from "../fs-util.js";

/** The spool's file: JSON lines, appended and synced to disk before a write is taken as done. */
export interface SpoolFile {
  readonly path: string;
  /** Appends the entries and syncs them to disk (throws when it cannot: a full disk). */
  append(entries: readonly SpoolEntry[]): void;
  /** Every entry, in order (a line cut by a crash is skipped); none when there is no file. */
  read(): SpoolEntry[];
  /** Removes the file (once its entries are in the store). */
  clear(): void;
}

/** Records hold command lines and output excerpts: the file is the owner's alone. */
const MODE = 0o600;
/** Append, and read its last byte back; never through a symlink planted at its name. */
const APPEND_READ = constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW;

export function spoolFile(path: string): SpoolFile {
  return {
    path,
    append: (entries) => {
      if (entries.length === 0) return;
      ensureDir(dirname(path));
      const fd = openSync(path, APPEND_READ, MODE);
      try {
        // A line cut by a crash mid-write is ended first, so the new entries are not glued to it.
        const text = (endsCut(fd) ? "\n" : "") + entries.map(spoolLine).join("");
        writeSync(fd, text);
        fdatasyncSync(fd);
      } finally {
        closeSync(fd);
      }
    },
    read: () => (existsSync(path) ? parseSpool(readFileSync(path, "utf8")).entries : []),
    clear: () => removeFile(path),
  };
}

/** True when the file's last byte is not a newline. */
function endsCut(fd: number): boolean {
  const size = fstatSync(fd).size;
  if (size === 0) return false;
  const last = Buffer.alloc(1);
  readSync(fd, last, 0, 1, size - 1);
  return last[0] !== 0x0a;
}
