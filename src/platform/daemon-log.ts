import type { DaemonLog } from "../core/ports.js";
import { lineBatch } from "./line-batch.js";
import { stdOutput } from "./std-output.js";
import { openRotatingFile, type RotationOptions } from "./rotating-file.js";

/**
 * The daemon log: one line per decision. To a stream (foreground, for systemd's journal) or
 * to a size-rotated file (background). `text`: `2026-11-22T10:45:45.242Z INFO  started db task#0 slot=…`;
 * `json`: `{"time":…,"level":…,"event":…,"message":…, …fields}`.
 */
export type { DaemonLog } from "../core/ports.js";

export type LogFormat = "text" | "json";

const LEVEL = { info: "INFO ", warning: "WARN ", error: "ERROR" } as const;

export function createDaemonLog(sink: { write(line: string): void; close?(): void }, format: LogFormat, now: () => number): DaemonLog {
  return {
    write: (level, message, fields = {}) => sink.write(formatLine(format, now(), level, message, fields)),
    close: () => sink.close?.(),
  };
}

function formatLine(format: LogFormat, at: number, level: "info" | "warning" | "error", message: string, fields: Record<string, unknown>): string {
  const time = new Date(at).toISOString();
  return format === "json" ? JSON.stringify({ time, level, message, ...fields }) + "\n" : `${time} ${LEVEL[level]} ${message}\n`;
}

/** A size-rotated file as a line sink; lines it had to drop (a full disk) are said in the log's format once it can write again. */
export function fileSink(path: string, format: LogFormat, now: () => number, rotation: Pick<RotationOptions, "maxBytes" | "backups"> = {}): { write(line: string): void; close(): void } {
  const file = openRotatingFile(path, {
    ...rotation,
    dropNote: (count, error) => formatLine(format, now(), "warning", `${count} log line(s) dropped: the log file could not be written (${error})`, { event: "log-dropped", count }),
  });
  return { write: (line) => file.writeLine(line), close: () => file.close() };
}

/** Standard output as a line sink, the lines of one event-loop turn in one write. */
export function stdoutSink(): { write(line: string): void; close(): void } {
  const out = stdOutput("stdout");
  const batch = lineBatch((lines) => out.write(lines.join("")));
  return { write: (line) => batch.push(line), close: () => batch.flush() };
}
