import { chmodSync, constants, mkdir, mkdirSync, unlinkSync } from "node:fs";
import { dirname } from "node:path";
import { UnsafePathError } from "../core/errors.js";
import { checkTrustedDir, UntrustedPath } from "./trusted-path.js";

const { O_APPEND, O_CREAT, O_NOFOLLOW, O_NONBLOCK, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY } = constants;

/**
 * open(2) flags for the files svcmgr writes as root: none follows a symlink planted at the
 * file's name (the open fails with ELOOP instead of writing wherever the link points).
 */
export const NOFOLLOW = {
  /** Create or truncate ("w"). */
  write: O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW,
  /** Create or truncate, and read back ("w+"). */
  writeRead: O_RDWR | O_CREAT | O_TRUNC | O_NOFOLLOW,
  /** Create or append ("a"). */
  append: O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW,
  /** Create or update in place. */
  update: O_RDWR | O_CREAT | O_NOFOLLOW,
  /** Update an existing file in place ("r+"). */
  rewrite: O_RDWR | O_NOFOLLOW,
  /** Read; a FIFO does not block the open. */
  read: O_RDONLY | O_NOFOLLOW | O_NONBLOCK,
} as const;

/** Directories svcmgr makes: reachable by task users (their var dirs are below), writable by root only. */
const DIR_MODE = 0o755;

/**
 * Directories this process created or found (and, as root, checked). A run touches the same
 * few directories every time (run files, output logs, state): a recursive mkdir each time
 * costs syscalls for nothing. If a directory is removed behind svcmgr's back, the next open
 * fails loudly.
 */
const knownDirs = new Set<string>();

/**
 * Makes `dir` and its missing parents with exactly `mode`, whatever the umask (a umask of 000
 * would make them writable by everyone). As root, the directory and the way to it must then be
 * trusted (trusted-path.ts): root must not write where another user can plant a symlink.
 * Throws UnsafePathError (exit 2) naming the directory at fault.
 */
export function ensureDir(dir: string, mode = DIR_MODE): void {
  if (knownDirs.has(dir)) return;
  fixModes(dir, mkdirSync(dir, { recursive: true, mode }), mode);
  checkIfRoot(dir);
  knownDirs.add(dir);
}

/** ensureDir off the event loop (the thread pool): for directories made ahead of their first use. */
export async function ensureDirInBackground(dir: string, mode = DIR_MODE): Promise<void> {
  if (knownDirs.has(dir)) return;
  const first = await new Promise<string | undefined>((resolve, reject) => mkdir(dir, { recursive: true, mode }, (err, path) => (err ? reject(err) : resolve(path))));
  fixModes(dir, first, mode);
  checkIfRoot(dir);
  knownDirs.add(dir);
}

/** mkdir's mode is less the umask: set it on each directory just made (`first` down to `dir`). */
function fixModes(dir: string, first: string | undefined, mode: number): void {
  if (first === undefined) return;
  for (let p = dir; ; p = dirname(p)) {
    chmodSync(p, mode);
    if (p === first || p === dirname(p)) return;
  }
}

function checkIfRoot(dir: string): void {
  if (process.geteuid?.() !== 0) return;
  try {
    checkTrustedDir(dir);
  } catch (e) {
    if (!(e instanceof UntrustedPath)) throw e;
    throw new UnsafePathError(
      `refusing directory ${e.path} (mode ${e.mode}): ${e.problem}; svcmgr writes in ${dir} as root and another user could make it overwrite any file. ` +
        `Fix with: chown root:root ${e.path} && chmod go-w ${e.path}`,
    );
  }
}

/** Removes one file; a file already gone is fine. (rmSync goes through a recursive remover.) */
export function removeFile(path: string): void {
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
}
