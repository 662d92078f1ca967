import { rename, writeFile } from "node:fs";
import { dirname } from "node:path";
import { tempPathFor } from "./atomic-write.js";
import { ensureDir, NOFOLLOW } from "./fs-util.js";
import { nativeAddon } from "./native-addon.js";

/** Replaces a state file atomically: readers see the old or the new content, never a torn one. */
export type WriteStateFile = (path: string, content: string) => void;

export interface BackgroundStateFiles {
  readonly write: WriteStateFile;
  /** Resolves once every write accepted so far has landed (or failed and been reported). */
  flush(): Promise<void>;
}

/** Replaces each file (temp file `<path>.tmp-<pid>`, then rename); calls back once with one error or null per file. */
export type ReplaceFiles = (files: ReadonlyArray<{ path: string; content: string }>, done: (errors: ReadonlyArray<Error | null>) => void) => void;

/**
 * Atomic state-file writes (temp file, then rename over the target, as writeFileAtomic) done
 * off the event loop, for the daemon: in a burst of runs, replacing a `last_run` file per run
 * would otherwise cost the event loop more than starting the run.
 *
 * The writes of one event-loop turn go out together, after the turn, as one batch: with the
 * native addon, one thread-pool job for the whole batch (each hand-off to the pool costs the
 * event loop a thread wake-up).
 *
 * Invariants:
 * - writes to one path land in call order; a write that has not started yet is replaced by a
 *   newer one for the same path, so the newest content always lands and nothing older lands after it;
 * - at most one write per path is in progress, so one temp file per path at a time;
 * - a failed write is reported through `onError` and does not stop later writes.
 */
export function createBackgroundStateFiles(onError: (path: string, err: Error) => void, replace: ReplaceFiles = defaultReplaceFiles()): BackgroundStateFiles {
  /** Content waiting for the next batch, by path. */
  const waiting = new Map<string, string>();
  /** Paths whose write is in progress. */
  const inProgress = new Set<string>();
  let batchScheduled = false;
  let idleWaiters: (() => void)[] = [];

  const scheduleBatch = (): void => {
    if (batchScheduled) return;
    batchScheduled = true;
    setImmediate(startBatch);
  };

  const startBatch = (): void => {
    batchScheduled = false;
    const batch: { path: string; content: string }[] = [];
    for (const [path, content] of waiting) {
      if (inProgress.has(path)) continue; // goes in a batch after the current write lands
      waiting.delete(path);
      try {
        ensureDir(dirname(path));
      } catch (e) {
        onError(path, e as Error);
        continue;
      }
      inProgress.add(path);
      batch.push({ path, content });
    }
    if (batch.length === 0) return settled();
    replace(batch, (errors) => {
      batch.forEach(({ path }, i) => {
        inProgress.delete(path);
        const err = errors[i];
        if (err) onError(path, err);
      });
      settled();
    });
  };

  const settled = (): void => {
    if (waiting.size > 0) return scheduleBatch();
    if (inProgress.size > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  };

  return {
    write(path, content) {
      waiting.set(path, content);
      scheduleBatch();
    },
    flush() {
      if (waiting.size === 0 && inProgress.size === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}

/** The addon's one-job batch when it is built, else Node's asynchronous writeFile and rename per file. */
export function defaultReplaceFiles(): ReplaceFiles {
  const native = nativeAddon();
  if (native === null) return replaceFilesWithNode;
  return (files, done) => {
    native.replaceFiles(files.map((f) => f.path), files.map((f) => f.content), 0o644).then(done, (e: Error) => done(files.map(() => e)));
  };
}

export const replaceFilesWithNode: ReplaceFiles = (files, done) => {
  const errors: (Error | null)[] = files.map(() => null);
  let left = files.length;
  const finish = (i: number, err: Error | null) => {
    errors[i] = err;
    if (--left === 0) done(errors);
  };
  files.forEach(({ path, content }, i) => {
    const tmp = tempPathFor(path);
    // A numeric flag is taken as is (the typings only show strings).
    writeFile(tmp, content, { mode: 0o644, flag: NOFOLLOW.write as unknown as string }, (writeErr) => {
      if (writeErr !== null) return finish(i, writeErr);
      rename(tmp, path, (renameErr) => finish(i, renameErr));
    });
  });
};
