import { closeSync, fstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/**
 * The service log `<log>/<name>.log`: one line per event,
 * `2026-11-22T10:45:45.242Z INFO  sid=0b1c2d3e rid=task#2 | message`.
 * Rotates by size: when the file passes `maxBytes` it becomes `.1` (older backups shift up to
 * `backups`). Several processes may append at once (O_APPEND keeps lines whole); rotation is
 * checked before each write, so a file may exceed the limit by at most one line per writer.
 */
export interface ServiceLog {
  write(level: "info" | "warning" | "error", rid: string | null, message: string): void;
  close(): void;
}

export interface ServiceLogOptions {
  readonly maxBytes?: number;
  readonly backups?: number;
  readonly session: string;
  readonly now: () => number;
}

const LEVEL = { info: "INFO ", warning: "WARN ", error: "ERROR" } as const;

export function openServiceLog(path: string, opts: ServiceLogOptions): ServiceLog {
  const maxBytes = opts.maxBytes ?? 5 * 1024 * 1024;
  const backups = opts.backups ?? 5;
  let fd: number | null = null;
  const open = () => {
    mkdirSync(dirname(path), { recursive: true });
    return openSync(path, "a", 0o640);
  };
  return {
    write(level, rid, message) {
      fd ??= open();
      if (fstatSync(fd).size >= maxBytes) {
        closeSync(fd);
        rotate(path, backups);
        fd = open();
      }
      const prefix = `${new Date(opts.now()).toISOString()} ${LEVEL[level]} sid=${opts.session.slice(0, 8)}${rid === null ? "" : ` rid=${rid}`} | `;
      writeSync(fd, message.split("\n").map((l) => prefix + l).join("\n") + "\n");
    },
    close() {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  };
}

function rotate(path: string, backups: number): void {
  rmSync(`${path}.${backups}`, { force: true });
  for (let i = backups - 1; i >= 1; i--) {
    try {
      renameSync(`${path}.${i}`, `${path}.${i + 1}`);
    } catch {
      // a missing backup is fine
    }
  }
  try {
    renameSync(path, `${path}.1`);
  } catch {
    // another process rotated it first
  }
}
