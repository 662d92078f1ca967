import { closeSync, constants, fchmodSync, fsyncSync, openSync, renameSync, writeFileSync } from "node:fs";
import { ensureDir, NOFOLLOW } from "./fs-util.js";
import { dirname } from "node:path";

/**
 * Writes a file so that readers see either the old or the new content, never a torn one,
 * whenever svcmgr is killed: write a temp file beside it, rename it over the target.
 * No fsync by default: these are convenience state files; the durable record of every run is
 * the history database. With `durable` (the API keys: a revocation must survive a power cut),
 * the file is synced before the rename and its directory after it.
 */
export function writeFileAtomic(path: string, content: string, mode = 0o644, durable = false): void {
  ensureDir(dirname(path));
  const tmp = tempPathFor(path);
  const fd = openSync(tmp, NOFOLLOW.write, mode); // never through a symlink planted at its name
  try {
    fchmodSync(fd, mode);
    writeFileSync(fd, content);
    if (durable) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  if (durable) syncDir(dirname(path));
}

function syncDir(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The temp file beside `path` that this process writes before renaming it over `path` (native/state_files.c names it alike). */
export function tempPathFor(path: string): string {
  return `${path}.tmp-${process.pid}`;
}
