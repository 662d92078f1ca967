import type { Paths } from "../core/paths.js";
import { ensureDir } from "./fs-util.js";

/**
 * Makes the var and log dirs (mode 0755 whatever the umask) before a command writes in them.
 * As root, refuses (UnsafePathError, exit 2) a var or log dir, or any directory on the way to
 * them such as the `--root` dir, that another user could write: that user could plant a
 * symlink where root is about to write a log or a state file.
 */
export function prepareStateDirs(paths: Paths): void {
  ensureDir(paths.var);
  ensureDir(paths.log);
}
