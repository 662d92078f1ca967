/**
 * A service's task as the exporters see it: values evaluated on this node (references
 * replaced), and the keywords set in its section that neither target format can say.
 */
export interface ExportTask {
  readonly rid: string;
  /** The part after `task#`. */
  readonly index: string;
  /** "" when the task is not scheduled. */
  readonly schedule: string;
  readonly timezone?: string;
  readonly disabled: boolean;
  /** Never scheduled (asks a human first). */
  readonly confirmation: boolean;
  readonly command: string;
  readonly environment: readonly (readonly [string, string])[];
  readonly cwd?: string;
  readonly comment?: string;
  /** Keywords written in the task's section (or inherited) that the export cannot carry. */
  readonly unsupported: readonly string[];
}

/** A line of the export's report: what was left out or changed for one task. */
export interface ExportNote {
  readonly rid: string;
  readonly message: string;
}

export interface ExportResult {
  readonly text: string;
  readonly notes: readonly ExportNote[];
}

/** Keywords every export carries one way or another (the rest are reported when set). */
export const CARRIED = new Set(["type", "command", "schedule", "timezone", "disable", "confirmation", "environment", "cwd", "comment", "tags", "optional", "standby", "subset", "log"]);
