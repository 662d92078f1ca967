import { rename, writeFile } from "node:fs";
import { dirname } from "node:path";
import { ensureDir } from "./fs-util.js";

/** Replaces a state file atomically: readers see the old or the new content, never a torn one. */
export type WriteStateFile = (path: string, content: string) => void;

export interface BackgroundStateFiles {
  readonly write: WriteStateFile;
  /** Resolves once every write accepted so far has landed (or failed and been reported). */
  flush(): Promise<void>;
}

/**
 * Atomic state-file writes (temp file, then rename over the target, as writeFileAtomic) done on
 * libuv's thread pool, for the daemon: in a burst of runs, creating and replacing a `last_run`
 * file per run would otherwise cost the event loop more than starting the run.
 *
 * Invariants:
 * - writes to one path land in call order; a write that has not started yet is replaced by a
 *   newer one for the same path, so the newest content always lands and nothing older lands after it;
 * - one temp file per path at a time (`<path>.tmp-<pid>`), as only one write per path is in progress;
 * - a failed write is reported through `onError` and does not stop later writes.
 */
export function createBackgroundStateFiles(onError: (path: string, err: Error) => void): BackgroundStateFiles {
  /** Paths with a write in progress, and the content to write next (if any). */
  const inProgress = new Map<string, string | undefined>();
  let idleWaiters: (() => void)[] = [];

  const settle = (path: string): void => {
    const next = inProgress.get(path);
    if (next !== undefined) return start(path, next);
    inProgress.delete(path);
    if (inProgress.size > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  };

  const start = (path: string, content: string): void => {
    inProgress.set(path, undefined);
    const tmp = `${path}.tmp-${process.pid}`;
    try {
      ensureDir(dirname(path));
    } catch (e) {
      onError(path, e as Error);
      return settle(path);
    }
    writeFile(tmp, content, { mode: 0o644 }, (writeErr) => {
      if (writeErr !== null) {
        onError(path, writeErr);
        return settle(path);
      }
      rename(tmp, path, (renameErr) => {
        if (renameErr !== null) onError(path, renameErr);
        settle(path);
      });
    });
  };

  return {
    write(path, content) {
      if (inProgress.has(path)) inProgress.set(path, content);
      else start(path, content);
    },
    flush() {
      if (inProgress.size === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}
