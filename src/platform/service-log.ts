import { openRotatingFile, type RotatingFile, type RotationOptions } from "./rotating-file.js";

/**
 * The service log `<log>/<name>.log`: one line per event,
 * `2026-11-22T10:45:45.242Z INFO  sid=0b1c2d3e rid=task#2 | message`, rotated by size.
 */
export interface ServiceLog {
  write(level: "info" | "warning" | "error", rid: string | null, message: string): void;
  close(): void;
}

export interface ServiceLogOptions extends RotationOptions {
  readonly session: string;
  readonly now: () => number;
}

const LEVEL = { info: "INFO ", warning: "WARN ", error: "ERROR" } as const;

export function openServiceLog(path: string, opts: ServiceLogOptions): ServiceLog {
  const file = openRotatingFile(path, opts);
  return { ...sessionLog(file, opts), close: () => file.close() };
}

/** A session's view of a service log file that stays open for other sessions (the daemon's). */
export function sessionLog(file: RotatingFile, opts: Pick<ServiceLogOptions, "session" | "now">): ServiceLog {
  return {
    write(level, rid, message) {
      const prefix = `${new Date(opts.now()).toISOString()} ${LEVEL[level]} sid=${opts.session.slice(0, 8)}${rid === null ? "" : ` rid=${rid}`} | `;
      file.writeLine(message.split("\n").map((l) => prefix + l).join("\n"));
    },
    close: () => undefined,
  };
}
