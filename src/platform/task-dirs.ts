import { ensureDirInBackground } from "./fs-util.js";
import { taskRunDir } from "../core/paths.js";

/** Directories made at once; more would only queue in the thread pool. */
const AT_ONCE = 4;

/**
 * Makes each scheduled task's run directory (`<var>/<rid>/run`, where its run files live)
 * when the daemon loads the task, in the background, rather than at its first run: a burst
 * of first runs (a new installation, a service added with many tasks) then creates nothing
 * but the run files themselves. Directories that exist cost one thread-pool call each.
 * A directory that cannot be made is reported through `onError`; the run that needs it makes
 * it again and records the failure itself.
 */
export async function prepareTaskDirs(tasks: ReadonlyArray<{ varDir: string; rid: string }>, onError: (dir: string, err: Error) => void): Promise<void> {
  const dirs = tasks.map((t) => taskRunDir(t.varDir, t.rid));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < dirs.length) {
      const dir = dirs[next++]!;
      await ensureDirInBackground(dir).catch((e: unknown) => onError(dir, e as Error));
    }
  };
  await Promise.all(Array.from({ length: Math.min(AT_ONCE, dirs.length) }, worker));
}
