import { renameSync } from "node:fs";
import { damagedName } from "../../history/damage.js";

/**
 * Moves a damaged database out of the way, with its WAL and shared-memory files, under one
 * new name (`<file>.damaged-<time>`, `…-wal`, `…-shm`), so that it can still be inspected or
 * recovered and the next open starts a new history. Returns the new name.
 */
export function moveAside(file: string, now: number): string {
  const dest = damagedName(file, now);
  renameSync(file, dest);
  for (const suffix of ["-wal", "-shm"]) {
    try {
      renameSync(file + suffix, dest + suffix);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
  }
  return dest;
}
