import { HistoryError } from "./errors.js";
import type { HistoryStore } from "../core/history-store.js";

/**
 * A run history database that SQLite cannot read as one (corrupt pages, not a database, an
 * emptied file). svcmgr neither reads nor writes it: nothing runs until it is moved aside,
 * and the damaged file is kept for inspection or recovery.
 */
export class HistoryDamagedError extends HistoryError {
  constructor(
    readonly file: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      `the run history database ${file} is damaged (${detail}); svcmgr will not read or write it. ` +
        `Keep it aside and start a new history with: svcmgr history repair ` +
        `(it moves the damaged file to ${file}.damaged-<time>)`,
      options,
    );
  }
}

/** The name a damaged database is moved to: `<file>.damaged-<UTC time>`, colons left out. */
export function damagedName(file: string, now: number): string {
  return `${file}.damaged-${new Date(now).toISOString().replace(/[:.]/g, "").replace(/\d{3}Z$/, "Z")}`;
}

/**
 * The same store, calling `onDamage` (then rethrowing) whenever a call finds the database
 * damaged: the daemon stops at the first sign instead of writing on into a broken file.
 */
export function watchDamage(store: HistoryStore, onDamage: (e: HistoryDamagedError) => void): HistoryStore {
  // health() is synchronous and never throws: passed as is.
  const watched: Record<string, unknown> = { health: () => store.health() };
  for (const [name, fn] of Object.entries(store) as [string, (...args: unknown[]) => Promise<unknown>][]) {
    if (name === "health") continue;
    watched[name] = async (...args: unknown[]) => {
      try {
        return await fn(...args);
      } catch (e) {
        if (e instanceof HistoryDamagedError) onDamage(e);
        throw e;
      }
    };
  }
  return watched as unknown as HistoryStore;
}
