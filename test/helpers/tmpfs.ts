/**
 * Full disks for tests: a real tmpfs mounted on a directory (root only), filled to the last
 * byte by a filler file, and freed again by removing it.
 */
import { execFileSync } from "node:child_process";
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";

export interface Tmpfs {
  readonly dir: string;
  /** Fills the filesystem: every later write that needs a block fails with ENOSPC. */
  fill(): void;
  /** Removes the filler: space is back. */
  free(): void;
  unmount(): void;
}

export function mountTmpfs(dir: string, sizeBytes: number): Tmpfs {
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${sizeBytes},mode=0755`, "tmpfs", dir]);
  const filler = join(dir, ".filler");
  return {
    dir,
    fill() {
      const fd = openSync(filler, "a");
      const block = Buffer.alloc(64 * 1024, 0x66);
      try {
        for (;;) writeSync(fd, block);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOSPC") throw e;
      }
      try {
        for (;;) writeSync(fd, block, 0, 1); // the last partial block, byte by byte
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOSPC") throw e;
      } finally {
        closeSync(fd);
      }
    },
    free: () => rmSync(filler, { force: true }),
    unmount: () => execFileSync("umount", ["-l", dir]),
  };
}
