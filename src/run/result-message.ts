import type { ProcessResult } from "../core/ports.js";
import type { FinalStatus } from "../core/run-record.js";
import { formatDuration } from "../core/duration.js";
import { statusForExitCode, type RetcodeRules } from "../config/retcodes.js";

/**
 * How a finished process becomes a run status and a message. Decision order: could not start,
 * timed out, aborted, killed by a signal, exit code through retcodes.
 */
export interface DescribedResult {
  readonly status: FinalStatus;
  readonly message: string;
  /** Short reason stored with non-successful records. */
  readonly reason?: string;
}

const WELL_KNOWN_EXIT: Readonly<Record<number, string>> = {
  126: "found but not executable",
  127: "command not found",
  137: "killed, usually by SIGKILL or the OOM killer",
};

export function describeResult(r: ProcessResult, retcodes: RetcodeRules, timeoutMs?: number): DescribedResult {
  if (r.spawnError !== undefined) return fail("failed", `cannot run: ${r.spawnError}`);
  if (r.timedOut) return fail("timed_out", timedOutMessage(timeoutMs ?? r.endedAt - r.startedAt, r.forceKilled === true || r.signal === "SIGKILL"));
  if (r.aborted) return fail("aborted", "aborted: the run was cancelled and its process group killed");
  if (r.exitCode === null) return fail("failed", `killed by signal ${r.signal ?? "unknown"}`);
  const status = statusForExitCode(retcodes, r.exitCode);
  if (status === "up") return { status: "succeeded", message: `command exited with code ${r.exitCode} (status up)` };
  const known = WELL_KNOWN_EXIT[r.exitCode];
  return fail("failed", `command exited with code ${r.exitCode} (status ${status}${known ? `; ${known}` : ""})`);
}

/** `where`: the trigger the deadline fell in, when not the command. */
export function timedOutMessage(timeoutMs: number, forceKilled: boolean, where?: string): string {
  const how = forceKilled ? "SIGTERM then SIGKILL" : "SIGTERM";
  return `timed out after ${formatDuration(timeoutMs)}${where === undefined ? "" : ` in ${where}`}: the process group got ${how}`;
}

function fail(status: FinalStatus, message: string): DescribedResult {
  return { status, message, reason: message };
}
