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
  spawn(file: string, argv: readonly string[], envp: readonly string[], cwd: string, onEvent: (kind: number, a: Buffer | number | null, b: number | null) => void, cgroupProcs?: readonly string[]): Promise<[number, number | null, unknown]>;
  /** Stops reading a task's pipes and closes them; no more output events come for it. */
  abandonOutput(handle: unknown): void;
  /** flock(fd, LOCK_EX | LOCK_NB) (native/file_lock.c): false when another open file holds the lock. */
  tryLock(fd: number): boolean;
  /** Temp file + rename for each path, in one thread-pool job (native/state_files.c): one result per path. */
  replaceFiles(paths: readonly string[], contents: readonly string[], mode: number): Promise<Array<NodeJS.ErrnoException | null>>;
  /** getsockopt(SO_PEERCRED) on a connected Unix socket (native/peer_cred.c): [pid, uid, gid]. */
  peerCred(fd: number): [number, number, number];
}

let addon: NativeAddon | null | undefined;
/** Why the addon is not in use, once nativeAddon() has decided; null when it is. */
let offReason: string | null = null;
let loadedFrom: string | null = null;

/**
 * The addon, loaded once; null when it is turned off (`SVCMGR_NATIVE=0`), not built, or
 * cannot be loaded here (nativeMode() says which).
 */
export function nativeAddon(): NativeAddon | null {
  if (addon !== undefined) return addon;
  addon = null;
  if (process.env.SVCMGR_NATIVE === "0") return off("turned off by SVCMGR_NATIVE=0");
  if (process.platform !== "linux") return off(`not available on ${process.platform}`);
  const path = addonPath();
  if (path === null) return off("not built (no build/Release/svcmgr_native.node)");
  try {
    const module = { exports: {} as NativeAddon };
    process.dlopen(module, path);
    addon = module.exports;
    loadedFrom = path;
  } catch (e) {
    // A stale or foreign build: the fallbacks do the same jobs, only slower.
    return off(`failed to load ${path}: ${(e as Error).message.split("\n")[0]}`);
  }
  return addon;
}

function off(reason: string): null {
  offReason = reason;
  return null;
}

/** Which mode this process runs in, and why, in one line (daemon log, --version --verbose). */
export function nativeMode(): { readonly native: boolean; readonly text: string } {
  const a = nativeAddon();
  if (a === null) return { native: false, text: `plain Node: native addon ${offReason ?? "not loaded"}` };
  const spawn = a.spawnSupported ? "" : "; tasks are spawned by Node (this kernel has no pidfd)";
  return { native: true, text: `native addon (${loadedFrom})${spawn}` };
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
