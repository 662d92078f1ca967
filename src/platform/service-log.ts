import type { ServiceLog } from "../core/run-ports.js";
import { openRotatingFile, type RotatingFile, type RotationOptions } from "./rotating-file.js";

/**
 * The service log `<log>/<name>.log`: one line per event,
 * `2026-11-22T10:45:45.242Z INFO  sid=0b1c2d3e rid=task#2 | message`, rotated by size.
 * Writing never throws: lines the file cannot take are dropped and counted (`lost`).
 */

export interface ServiceLogOptions extends RotationOptions {
  readonly session: string;
  readonly now: () => number;
}

const LEVEL = { info: "INFO ", warning: "WARN ", error: "ERROR" } as const;

/** Opens the file at once: a log that cannot be written refuses the run before anything starts. */
export function openServiceLog(path: string, opts: ServiceLogOptions): ServiceLog {
  const file = openServiceLogFile(path, opts);
  file.openNow();
  return { ...sessionLog(file, opts), close: () => file.close() };
}

/** The rotating file under a service log, its drop note in the log's own line format. */
export function openServiceLogFile(path: string, opts: Pick<ServiceLogOptions, "now" | "maxBytes" | "backups">): RotatingFile {
  return openRotatingFile(path, {
    maxBytes: opts.maxBytes,
    backups: opts.backups,
    dropNote: (count, error) => `${new Date(opts.now()).toISOString()} ${LEVEL.warning} | svcmgr: ${count} line(s) dropped from this log: it could not be written (${error})`,
  });
}

/** A session's view of a service log file that stays open for other sessions (the daemon's). */
export function sessionLog(file: RotatingFile, opts: Pick<ServiceLogOptions, "session" | "now">): ServiceLog {
  return {
    write(level, rid, message) {
      const prefix = `${new Date(opts.now()).toISOString()} ${LEVEL[level]} sid=${opts.session.slice(0, 8)}${rid === null ? "" : ` rid=${rid}`} | `;
      file.writeLine(message.split("\n").map((l) => prefix + l).join("\n"));
    },
    lost: () => ({ lines: file.dropped, error: file.lastError }),
    close: () => undefined,
  };
}
