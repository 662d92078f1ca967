import { renameSync, writeFileSync } from "node:fs";
import { ensureDir } from "./fs-util.js";
import { dirname } from "node:path";

/**
 * Writes a file so that readers see either the old or the new content, never a torn one,
 * whenever svcmgr is killed: write a temp file beside it, rename it over the target.
 * No fsync: these are convenience state files; the durable record of every run is the
 * history database.
 */
export function writeFileAtomic(path: string, content: string, mode = 0o644): void {
  ensureDir(dirname(path));
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content, { mode });
  renameSync(tmp, path);
}
