import { closeSync, openSync, readSync } from "node:fs";
import type BetterSqlite3 from "better-sqlite3";
import { HistoryDamagedError } from "../../history/damage.js";

/** The calls that write: each first checks that the file under them is still a database. */
const WRITES: ReadonlySet<string> = new Set(["begin", "record", "finish", "setPid", "setLogFile", "markInterrupted", "remove", "prune", "transaction"]);

/**
 * Every store call reports a damaged database as HistoryDamagedError, whichever statement met
 * it. A write (outside a transaction already checked) first reads the file's header: SQLite
 * would otherwise go on writing its WAL over a file emptied or overwritten under it.
 */
export function guardDamage<T extends object>(store: T, db: Pick<BetterSqlite3.Database, "inTransaction">, file: string): T {
  const guarded: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(store) as [string, (...args: unknown[]) => unknown][]) {
    const writes = WRITES.has(name);
    guarded[name] = (...args: unknown[]) => {
      try {
        if (writes && !db.inTransaction) checkHeader(file);
        return fn(...args);
      } catch (e) {
        throw asDamage(e, file);
      }
    };
  }
  return guarded as T;
}

const SQLITE_MAGIC = Buffer.from("SQLite format 3\0", "latin1");

/** The file at `file` still starts as an SQLite database does (one 16-byte read). */
function checkHeader(file: string): void {
  const head = Buffer.alloc(SQLITE_MAGIC.length);
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new HistoryDamagedError(file, "the file was removed while in use");
    throw e;
  }
  try {
    const n = readSync(fd, head, 0, head.length, 0);
    if (n === 0) throw new HistoryDamagedError(file, "it was emptied while in use");
    if (!head.subarray(0, n).equals(SQLITE_MAGIC)) throw new HistoryDamagedError(file, "it was overwritten while in use: it no longer starts as an SQLite database");
  } finally {
    closeSync(fd);
  }
}

/** SQLite's result codes that mean the file's content is not a sound database. */
const DAMAGE_CODES = /^SQLITE_(CORRUPT|NOTADB)/;

export function isDamage(e: unknown): boolean {
  return typeof (e as { code?: unknown })?.code === "string" && DAMAGE_CODES.test((e as { code: string }).code);
}

/** `e` as a HistoryDamagedError when it says the database is damaged; `e` itself otherwise. */
export function asDamage(e: unknown, file: string): unknown {
  if (e instanceof HistoryDamagedError || !isDamage(e)) return e;
  return new HistoryDamagedError(file, (e as Error).message, { cause: e });
}
