import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * svcmgr's own native addon (native/*.c, built by node-gyp at install): what Node's API
 * cannot do cheaply. Every user has a plain-Node fallback, so svcmgr works without it, only
 * slower; a process uses the addon for all of these or for none.
 */
export interface NativeAddon {
  /** False when the kernel has no pidfd (Linux < 5.3): spawn must not be called. */
  readonly spawnSupported: boolean;
  /**
   * vfork + exec (native/task_spawn.c), then the child watched (native/task_watch.c): resolves
   * to [pid, startTime, handle for abandonOutput]. onEvent(0, code, signal) when the leader
   * ends; onEvent(1 or 2, chunk) for stdout or stderr output, then (1 or 2, null) once closed.
   */
  spawn(file: string, argv: readonly string[], envp: readonly string[], cwd: string, onEvent: (kind: number, a: Buffer | number | null, b: number | null) => void): Promise<[number, number | null, unknown]>;
  /** Stops reading a task's pipes and closes them; no more output events come for it. */
  abandonOutput(handle: unknown): void;
  /** flock(fd, LOCK_EX | LOCK_NB) (native/file_lock.c): false when another open file holds the lock. */
  tryLock(fd: number): boolean;
  /** Temp file + rename for each path, in one thread-pool job (native/state_files.c): one result per path. */
  replaceFiles(paths: readonly string[], contents: readonly string[], mode: number): Promise<Array<NodeJS.ErrnoException | null>>;
}

let addon: NativeAddon | null | undefined;

/** The addon, loaded once; null when it is not built or cannot be loaded here. */
export function nativeAddon(): NativeAddon | null {
  if (addon !== undefined) return addon;
  addon = null;
  const path = process.platform === "linux" ? addonPath() : null;
  if (path === null) return addon;
  try {
    const module = { exports: {} as NativeAddon };
    process.dlopen(module, path);
    addon = module.exports;
  } catch {
    // A stale or foreign build: the fallbacks do the same jobs, only slower.
  }
  return addon;
}

/** node-gyp's output under the package root, which is 1 to 3 levels above this module (src/platform, dist, dist/chunks). */
function addonPath(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 3; up++, dir = dirname(dir)) {
    const path = join(dir, "build", "Release", "svcmgr_native.node");
    if (existsSync(path)) return path;
  }
  return null;
}
