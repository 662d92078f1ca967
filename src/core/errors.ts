import type { Alert } from "./alert.js";

/**
 * Every error a user can cause or meet carries the exit code the CLI returns for it.
 * Invariant: only cli/main.ts turns these into process exit codes; a SvcmgrError is
 * printed as its message (no stack trace unless --debug).
 */
export class SvcmgrError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** Bad command line: unknown option, missing argument, bad value (exit 2). */
export class UsageError extends SvcmgrError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 2, options);
  }
}

/** A configuration with at least one error-level alert (exit 2). */
export class ConfigError extends SvcmgrError {
  readonly alerts: readonly Alert[];
  constructor(message: string, alerts: readonly Alert[]) {
    super(message, 2);
    this.alerts = alerts;
  }
}

/** A root, var or log directory another user could write: svcmgr refuses to write there as root (exit 2). */
export class UnsafePathError extends SvcmgrError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** A named service, rid or record does not exist (exit 2). */
export class NotFoundError extends SvcmgrError {
  constructor(message: string) {
    super(message, 2);
  }
}

/** An action ran and did not succeed: task failed, refused, timed out, requirements unmet (exit 1). */
export class ActionError extends SvcmgrError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 1, options);
  }
}

/**
 * The system refused an operation to this user (EPERM, EACCES): nothing was done (exit 2,
 * like a usage error: run the command as a user allowed to, or on a root you own).
 */
export class PermissionError extends SvcmgrError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 2, options);
  }
}

/** An EPERM/EACCES from the system, as a PermissionError naming what was refused; anything else unchanged. */
export function asPermissionError(e: unknown): unknown {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (code !== "EPERM" && code !== "EACCES") return e;
  const err = e as NodeJS.ErrnoException;
  const what = [err.syscall, err.path].filter((x) => x !== undefined).join(" ");
  return new PermissionError(`permission denied${what === "" ? "" : `: ${what}`} (${code}); run as root, or as a user allowed to`, { cause: e });
}

export function isSvcmgrError(e: unknown): e is SvcmgrError {
  return e instanceof SvcmgrError;
}
