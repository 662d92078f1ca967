import type { FoldedSpool, SpooledRecord } from "../../history/spool.js";
import type { Sql } from "./session.js";
import { finish, insert, setPid } from "./writes.js";
import type { CompleteRun } from "../../core/run-record.js";

export interface ReplayResult {
  /** Each spooled record's provisional id → its id in the store (null: its slot had another record). */
  readonly ids: Map<number, number | null>;
  /** Records written now. */
  readonly inserted: number;
  /** Records the store already held, recognised by their key (a replay cut short, a commit whose answer was lost). */
  readonly known: number;
  /** Schedule records whose slot the store already held another record of: not written. */
  readonly taken: number;
}

/**
 * Writes a folded spool into the store, in order, inside the caller's transaction. Invariant:
 * replaying the same spool again writes nothing twice: a record is inserted with its key, or
 * recognised by it; outcomes only change records still in flight.
 */
export async function replaySpool(sql: Sql, folded: FoldedSpool): Promise<ReplayResult> {
  const ids = new Map<number, number | null>();
  let inserted = 0;
  let known = 0;
  for (const r of folded.records) {
    const run = { ...r.run, retryOf: storeId(r.run.retryOf, ids) };
    let id = await insert(sql, run, r.final ? (r.run as CompleteRun) : null, r.key);
    if (id !== null) inserted++;
    else if ((id = await byKey(sql, r.key)) !== null) known++;
    ids.set(r.id, id);
    if (id !== null) await settle(sql, id, r);
  }
  for (const u of folded.updates) {
    if (u.op === "pid") await setPid(sql, u.id, u.pid, u.pidStartTime);
    else if (u.op === "finish") await finish(sql, u.id, u.outcome);
    else await finish(sql, u.id, { status: "interrupted", reason: u.reason, endedAt: u.endedAt });
  }
  return { ids, inserted, known, taken: folded.records.length - inserted - known };
}

/** A retry's `retryOf` naming a spooled record: that record's store id. */
function storeId(id: number | null | undefined, ids: ReadonlyMap<number, number | null>): number | null {
  if (id === null || id === undefined) return null;
  return id > 0 ? id : (ids.get(id) ?? null);
}

async function byKey(sql: Sql, key: string): Promise<number | null> {
  const r = await sql(`SELECT id FROM runs WHERE record_key = $1`, [key]);
  return r.rows.length === 0 ? null : (r.rows[0]!.id as number);
}

/** A spooled record's pid and outcome (an outcome only ends a record still in flight). */
async function settle(sql: Sql, id: number, r: SpooledRecord): Promise<void> {
  if (r.pid !== null) await setPid(sql, id, r.pid.pid, r.pid.pidStartTime);
  if (!r.final && r.outcome !== null) await finish(sql, id, r.outcome);
}
