/**
 * A task's suspended schedule (`svcmgr suspend`, `POST …/tasks/{rid}/suspend`): while it holds,
 * the daemon records each of the task's slots as `skipped` (reason `suspended …`) instead of
 * running it. Kept per task in a state file (suspendedFile in paths.ts) so that it survives
 * daemon restarts; no file means not suspended.
 */
export interface Suspension {
  /** Who suspended it: an API key's name, or the CLI's user (SUDO_USER under sudo). */
  readonly by: string;
  /** When, epoch ms. */
  readonly at: number;
  /** Why, as given; null when none was. */
  readonly reason: string | null;
}

/** A task's suspension state file, read and replaced atomically (platform/suspension-file.ts). */
export interface SuspensionFile {
  read(rid: string): Suspension | null;
  /** Writes the state (null: removes the file, the task is no longer suspended). */
  write(rid: string, state: Suspension | null): void;
}

/** At most this many characters of reason; longer ones are refused (CLI usage error, API 400). */
export const MAX_SUSPEND_REASON = 500;

/** Why a reason text is refused, or null: bounded, one line, no control characters. */
export function badSuspendReason(reason: string): string | null {
  if (reason.length > MAX_SUSPEND_REASON) return `at most ${MAX_SUSPEND_REASON} characters`;
  if (/[\u0000-\u001f\u007f]/.test(reason)) return "one line of text, without control characters";
  return null;
}

/** `suspended by alice since 2026-12-07T21:40:00.000Z: disk change`: a skipped slot's reason. */
export function suspendedText(s: Suspension): string {
  return `suspended by ${s.by} since ${new Date(s.at).toISOString()}${s.reason === null ? "" : `: ${s.reason}`}`;
}

/** A suspension as JSON answers show it (the API, `suspend --format json`): its time in ISO 8601. */
export function suspensionView(s: Suspension | null): { by: string; at: string; reason: string | null } | null {
  return s === null ? null : { by: s.by, at: new Date(s.at).toISOString(), reason: s.reason };
}

export function sameSuspension(a: Suspension | null | undefined, b: Suspension | null | undefined): boolean {
  if (a == null || b == null) return (a ?? null) === (b ?? null);
  return a.by === b.by && a.at === b.at && a.reason === b.reason;
}
