import { readdirSync, statSync, watch, type FSWatcher } from "node:fs";
import { join } from "node:path";

/**
 * Tells when anything under the etc dir may have changed, whatever way a file was saved.
 *
 * Invariants:
 * - directories are watched, never files: a directory watch sees a file written in place, renamed
 *   over (`sed -i`, editors, Ansible), deleted and created again, or a symlink swapped, and keeps
 *   seeing it afterwards (a watch on the file itself follows the replaced inode and goes deaf);
 * - the set of watched directories is re-armed after every event and every poll, so a namespace
 *   directory made later, or a directory replaced, is watched as well;
 * - every `pollMs` the (inode, size, mtime) of each config file, symlinks followed, is compared
 *   with the last one seen: an edit no event reports (a symlink's target changed in another
 *   directory, an event queue overflow, a file system without inotify) is seen within `pollMs`;
 * - bursts of changes collapse into one `onChange` after `debounceMs` of quiet.
 */
export interface ConfigWatchOptions {
  readonly debounceMs: number;
  readonly pollMs: number;
  /** A directory that cannot be watched (it is still polled). */
  readonly onWatchError: (dir: string, err: Error) => void;
}

export interface ConfigWatch {
  close(): void;
}

/** The directories that can hold service files: etc, etc/namespaces and each etc/namespaces/<ns>/svc. */
function configDirs(etc: string): string[] {
  const dirs = [etc];
  const nsRoot = join(etc, "namespaces");
  const namespaces = listDir(nsRoot);
  if (namespaces === null) return dirs;
  dirs.push(nsRoot);
  for (const ns of namespaces) {
    const nsDir = join(nsRoot, ns);
    if (listDir(nsDir) === null) continue;
    dirs.push(nsDir);
    if (listDir(join(nsDir, "svc")) !== null) dirs.push(join(nsDir, "svc"));
  }
  return dirs;
}

/** One line per config file: name, inode, size, mtime (symlinks followed); unreadable ones say so. */
function configFingerprint(etc: string): string {
  const lines: string[] = [];
  for (const dir of configDirs(etc)) {
    for (const name of listDir(dir) ?? []) {
      if (!name.endsWith(".conf")) continue;
      const file = join(dir, name);
      try {
        const st = statSync(file, { bigint: true });
        lines.push(`${file} ${st.ino} ${st.size} ${st.mtimeNs} ${st.ctimeNs}`);
      } catch (e) {
        lines.push(`${file} ${(e as NodeJS.ErrnoException).code ?? "error"}`);
      }
    }
  }
  return lines.sort().join("\n");
}

function listDir(dir: string): string[] | null {
  try {
    return readdirSync(dir);
  } catch {
    return null;
  }
}

export function watchConfig(etc: string, onChange: () => void, opts: ConfigWatchOptions): ConfigWatch {
  const watchers = new Map<string, FSWatcher>();
  let fingerprint = configFingerprint(etc);
  let debounce: NodeJS.Timeout | null = null;
  let closed = false;
  const reported = new Set<string>();

  const fire = () => {
    debounce = null;
    if (closed) return;
    rearm();
    fingerprint = configFingerprint(etc);
    onChange();
  };
  const changed = () => {
    if (debounce !== null) clearTimeout(debounce);
    debounce = setTimeout(fire, opts.debounceMs);
  };
  const drop = (dir: string) => {
    watchers.get(dir)?.close();
    watchers.delete(dir);
  };
  const rearm = () => {
    const dirs = new Set(configDirs(etc));
    for (const dir of [...watchers.keys()]) if (!dirs.has(dir)) drop(dir);
    for (const dir of dirs) {
      if (watchers.has(dir)) continue;
      try {
        const w = watch(dir, { persistent: false }, changed);
        w.on("error", () => {
          drop(dir); // re-armed by the next event or poll
          changed();
        });
        watchers.set(dir, w);
      } catch (e) {
        if (!reported.has(dir)) opts.onWatchError(dir, e as Error);
        reported.add(dir);
      }
    }
  };
  const poll = setInterval(() => {
    rearm();
    if (configFingerprint(etc) !== fingerprint) changed();
  }, opts.pollMs);
  poll.unref();
  rearm();
  return {
    close() {
      closed = true;
      clearInterval(poll);
      if (debounce !== null) clearTimeout(debounce);
      for (const dir of [...watchers.keys()]) drop(dir);
    },
  };
}
