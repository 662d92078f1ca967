import { closeSync, fchmodSync, openSync, renameSync, writeFileSync } from "node:fs";
import { ensureDir, NOFOLLOW } from "./fs-util.js";
import { dirname } from "node:path";

/**
 * Writes a file so that readers see either the old or the new content, never a torn one,
 * whenever svcmgr is killed: write a temp file beside it, rename it over the target.
 * No fsync: these are convenience state files; the durable record of every run is the
 * history database.
 */
export function writeFileAtomic(path: string, content: string, mode = 0o644): void {
  ensureDir(dirname(path));
  const tmp = tempPathFor(path);
  const fd = openSync(tmp, NOFOLLOW.write, mode); // never through a symlink planted at its name
  try {
    fchmodSync(fd, mode);
    writeFileSync(fd, content);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** The temp file beside `path` that this process writes before renaming it over `path` (native/state_files.c names it alike). */
export function tempPathFor(path: string): string {
  return `${path}.tmp-${process.pid}`;
}
