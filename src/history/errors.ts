import { SvcmgrError } from "../core/errors.js";

/**
 * The run history database cannot be used: unreadable, corrupt, or written by a newer
 * svcmgr. Exit code 2, like a configuration problem: nothing ran.
 */
export class HistoryError extends SvcmgrError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 2, options);
  }
}
