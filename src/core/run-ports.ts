import type { Status } from "./status.js";
import type { CompleteRun, NewRun, RunOutcome } from "./run-record.js";

/** Where the pipeline records runs: the history store (or a fake in tests). */
export interface RunRecorder {
  /**
   * The new record's id, or null when its schedule slot already has one. The task must not
   * start before this settles: then the record is committed. With `logFileFor`, the run's
   * output file path is recorded in the same write.
   */
  begin(run: NewRun, logFileFor?: (id: number) => string): Promise<number | null>;
  /** Not awaited (called as the process starts): implementations apply it after its begin and before its finish. */
  setPid(id: number, pid: number, pidStartTime: number | null): void;
  finish(id: number, outcome: RunOutcome): Promise<void>;
  /** A record final when written (a refusal); its id, or null when not written (yet). */
  record(run: CompleteRun): Promise<number | null>;
}

/** Messages and task output for humans (the terminal) and the service log file. */
export interface RunReporter {
  message(level: "info" | "warning" | "error", rid: string, text: string): void;
  /** One line of task output; `toLog` says whether the service log gets it too (keyword `log`). */
  output(rid: string, stream: "stdout" | "stderr", line: string, toLog: boolean): void;
  /** Lines the service log dropped so far (only grows), and why the last write failed. */
  lostLogLines?(): { readonly lines: number; readonly error: string | null };
}

/** States of the service's resources, for run_requires. */
export interface ResourceStates {
  statusOf(rid: string): Promise<Status>;
}

/** Per-task run files enforcing max_parallel; see platform/run-files.ts for the staleness rule. */
export interface RunSlots {
  /** Takes a slot, or says how many runs are alive. */
  acquire(rid: string, maxParallel: number, session: string): RunSlotGrant;
}

export type RunSlotGrant =
  | { readonly ok: true; attachChild(pid: number, startTime: number | null): void; release(): void }
  | { readonly ok: false; readonly running: number };

/** The run's full output file. */
export interface RunOutputLog {
  write(stream: "stdout" | "stderr", chunk: Buffer): void;
  close(): Promise<void>;
  /** Bytes left out of the file by its size cap (known once closed). */
  readonly cutBytes: number;
}

/** `<var>/svc/<name>/<rid>/last_run`, written atomically after each run. */
export interface LastRunWriter {
  write(rid: string, lastRun: LastRun): void;
}

export interface LastRun {
  readonly at: string;
  readonly exitCode: number | null;
  readonly status: string;
  readonly durationMs: number;
  readonly session: string;
  readonly trigger: string;
}

/**
 * A service's log `<log>/<name>.log`: one line per event, rotated by size.
 * Writing never throws: lines the file cannot take are dropped and counted (`lost`).
 */
export interface ServiceLog {
  write(level: "info" | "warning" | "error", rid: string | null, message: string): void;
  /** Lines dropped so far (only grows) and why the last failed write failed. */
  lost(): LogLoss;
  close(): void;
}

export interface LogLoss {
  readonly lines: number;
  readonly error: string | null;
}
