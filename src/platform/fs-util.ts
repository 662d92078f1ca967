import { mkdir, mkdirSync, unlinkSync } from "node:fs";

/**
 * Directories this process created or found. A run touches the same few directories every
 * time (run files, output logs, state): a recursive mkdir each time costs syscalls for
 * nothing. If a directory is removed behind svcmgr's back, the next open fails loudly.
 */
const knownDirs = new Set<string>();

export function ensureDir(dir: string, mode?: number): void {
  if (knownDirs.has(dir)) return;
  mkdirSync(dir, { recursive: true, mode });
  knownDirs.add(dir);
}

/** ensureDir off the event loop (the thread pool): for directories made ahead of their first use. */
export async function ensureDirInBackground(dir: string, mode?: number): Promise<void> {
  if (knownDirs.has(dir)) return;
  await new Promise<void>((resolve, reject) => mkdir(dir, { recursive: true, mode }, (err) => (err ? reject(err) : resolve())));
  knownDirs.add(dir);
}

/** Removes one file; a file already gone is fine. (rmSync goes through a recursive remover.) */
export function removeFile(path: string): void {
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
}
