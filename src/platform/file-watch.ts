import { statSync, watch, type FSWatcher } from "node:fs";
import { basename, dirname } from "node:path";

/**
 * Tells when one file may have changed, whatever way it was saved: its directory is watched
 * (a watch on the file itself follows the replaced inode and goes deaf after an editor's
 * rename), events for other names are ignored, the watch is re-armed after an error or when
 * the directory appears, and every `pollMs` the file's (inode, size, mtime, ctime) is compared
 * with the last one seen. Bursts collapse into one `onChange` after `debounceMs` of quiet.
 */
export interface FileWatchOptions {
  readonly debounceMs: number;
  readonly pollMs: number;
  readonly onWatchError: (dir: string, err: Error) => void;
}

function fingerprint(file: string): string {
  try {
    const st = statSync(file, { bigint: true });
    return `${st.ino} ${st.size} ${st.mtimeNs} ${st.ctimeNs}`;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? "error";
  }
}

export function watchFile(file: string, onChange: () => void, opts: FileWatchOptions): { close(): void } {
  const dir = dirname(file);
  const name = basename(file);
  let watcher: FSWatcher | null = null;
  let last = fingerprint(file);
  let debounce: NodeJS.Timeout | null = null;
  let reported = false;
  let closed = false;

  const fire = () => {
    debounce = null;
    if (closed) return;
    last = fingerprint(file);
    onChange();
  };
  const changed = () => {
    if (debounce !== null) clearTimeout(debounce);
    debounce = setTimeout(fire, opts.debounceMs);
  };
  const arm = () => {
    if (watcher !== null) return;
    try {
      watcher = watch(dir, { persistent: false }, (_event, f) => {
        if (f === null || f === name || f.toString() === name) changed();
      });
      watcher.on("error", () => {
        watcher?.close();
        watcher = null; // re-armed by the next poll
        changed();
      });
    } catch (e) {
      if (!reported) opts.onWatchError(dir, e as Error);
      reported = true;
    }
  };
  const poll = setInterval(() => {
    arm();
    if (fingerprint(file) !== last) changed();
  }, opts.pollMs);
  poll.unref();
  arm();
  return {
    close() {
      closed = true;
      clearInterval(poll);
      if (debounce !== null) clearTimeout(debounce);
      watcher?.close();
    },
  };
}
