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

/**
 * The PostgreSQL history cannot be reached (no connection, or the connection broke): nothing
 * is wrong with the records, the server is away. The daemon spools its writes meanwhile.
 */
export class StoreUnreachableError extends HistoryError {}
