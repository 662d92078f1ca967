/**
 * A job read from another scheduler's file, in svcmgr's terms: what becomes one `[task#<id>]`
 * section (import), one scheduled task (seed), or one line or entry (export).
 * Invariant: `id` is a valid rid index, unique in its file, and the same for the same job every
 * time the file is read (Supertask's id; for a crontab line, derived from the line's content).
 */
export interface Job {
  readonly id: string;
  /** 1-based line where the job starts in its source file. */
  readonly line: number;
  /** The schedule as svcmgr reads it (cron as written, translated only where the source's dialect differs); "" for none. */
  readonly schedule: string;
  readonly timezone?: string;
  readonly disabled: boolean;
  readonly command: string;
  /** Variables for the task's environment, in order. */
  readonly environment: readonly (readonly [string, string])[];
  readonly user?: string;
  /** Free text for humans (the task's `comment` keyword). */
  readonly description?: string;
  /** Notes written above the task: where it came from and what could not be carried over. */
  readonly notes: readonly string[];
}

/** Every format svcmgr reads. */
export const SOURCE_FORMATS = ["supertask", "supertask-legacy", "crontab"] as const;
export type SourceFormat = (typeof SOURCE_FORMATS)[number];
