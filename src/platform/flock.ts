import { nativeAddon } from "./native-addon.js";

/** Filesystems that have no flock (some network mounts) answer with one of these. */
const NO_FLOCK = new Set(["ENOLCK", "EOPNOTSUPP", "ENOTSUP", "ENOSYS", "EINVAL"]);

/**
 * flock(fd, LOCK_EX | LOCK_NB) through the native addon: true when this open file now holds
 * the lock, false when another open file holds it, null when flock cannot be used here (no
 * addon, or a filesystem without flock). The kernel drops the lock when the descriptor is
 * closed or its holder dies, so a flock lock is never left behind and never has to be broken.
 */
export function tryFlock(fd: number): boolean | null {
  const native = nativeAddon();
  if (native === null) return null;
  try {
    return native.tryLock(fd);
  } catch (e) {
    if (NO_FLOCK.has((e as NodeJS.ErrnoException).code ?? "")) return null;
    throw e;
  }
}
