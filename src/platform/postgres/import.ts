import type { KeyedRecord as ImportedRecord } from "../../history/copy.js";
import type { Sql } from "./session.js";
import { insertColumns, Params } from "./sql.js";


export interface ImportResult {
  /** Written now. */
  readonly inserted: number;
  /** Already in the store, recognised by their key (copied before). */
  readonly known: number;
  /** Schedule records whose slot the store already held another record of: not written. */
  readonly taken: number;
}

/** Every column of a final record, its key, pid and owner included; `retry_of` is set afterwards, by key. Same columns for every record. */
function columnsOf(r: ImportedRecord): Array<[string, unknown]> {
  const rec = r.record;
  if (rec.status === "running" || rec.endedAt === null) throw new RangeError(`record ${rec.id} is in flight: only final records are copied`);
  const cols = insertColumns({ ...rec, retryOf: null }, { ...rec, status: rec.status, endedAt: rec.endedAt }, r.key);
  return [...cols, ["pid", rec.pid], ["pid_start_time", rec.pidStartTime], ["owner_pid", rec.ownerPid], ["owner_start_time", rec.ownerStartTime]];
}

/**
 * Writes a batch of final records in one statement, inside the caller's transaction. Invariant:
 * importing the same records again writes nothing: each is inserted with its key or
 * recognised by it; a schedule slot the store already has a record of keeps that record.
 */
export async function importRecords(sql: Sql, batch: readonly ImportedRecord[]): Promise<ImportResult> {
  if (batch.length === 0) return { inserted: 0, known: 0, taken: 0 };
  const p = new Params();
  const rows = batch.map(columnsOf);
  const names = rows[0]!.map(([c]) => c);
  const values = rows.map((cols) => `(${cols.map(([, v]) => p.add(v)).join(", ")})`);
  const ins = await sql(`INSERT INTO runs (${names.join(", ")}) VALUES ${values.join(", ")} ON CONFLICT DO NOTHING RETURNING record_key`, p.values);
  const inserted = new Set(ins.rows.map((r) => r.record_key as string));
  const rest = batch.filter((r) => !inserted.has(r.key)).map((r) => r.key);
  const known = rest.length === 0 ? 0 : (await sql(`SELECT count(*) AS n FROM runs WHERE record_key = ANY($1::uuid[])`, [rest])).rows[0]!.n as number;
  const retries = batch.filter((r) => r.retryOfKey !== null && inserted.has(r.key));
  if (retries.length > 0) {
    await sql(`UPDATE runs r SET retry_of = o.id FROM unnest($1::uuid[], $2::uuid[]) AS m(k, of) JOIN runs o ON o.record_key = m.of WHERE r.record_key = m.k`,
      [retries.map((r) => r.key), retries.map((r) => r.retryOfKey)]);
  }
  return { inserted: inserted.size, known, taken: rest.length - known };
}
