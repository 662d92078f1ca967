import type { CompleteRun, NewRun, RunOutcome } from "../../core/run-record.js";
import type { Sql } from "./session.js";
import { insertColumns, insertSql, outcomeColumns, Params } from "./sql.js";

/** The statements that write records, shared by the store's calls and the spool's replay. */

export async function insert(sql: Sql, run: NewRun | CompleteRun, outcome: RunOutcome | null, key?: string): Promise<number | null> {
  const { text, params } = insertSql(insertColumns(run, outcome, key));
  const r = await sql(text, params);
  return r.rows.length === 0 ? null : (r.rows[0]!.id as number);
}

export async function begin(sql: Sql, run: NewRun, logFileFor?: (id: number) => string, key?: string): Promise<number | null> {
  const id = await insert(sql, run, null, key);
  if (id !== null && logFileFor !== undefined) await sql(`UPDATE runs SET log_file = $1 WHERE id = $2`, [logFileFor(id), id]);
  return id;
}

export async function setPid(sql: Sql, id: number, pid: number, pidStartTime: number | null): Promise<void> {
  await sql(`UPDATE runs SET pid = $1, pid_start_time = $2 WHERE id = $3`, [pid, pidStartTime, id]);
}

export async function finish(sql: Sql, id: number, outcome: RunOutcome): Promise<boolean> {
  const p = new Params();
  const sets = outcomeColumns(outcome).map(([c, v]) => `${c} = ${p.add(v)}`);
  const r = await sql(`UPDATE runs SET ${sets.join(", ")}, duration_ms = ${p.add(outcome.endedAt)}::bigint - started_at
    WHERE id = ${p.add(id)} AND status = 'running'`, p.values);
  return r.rowCount === 1;
}
