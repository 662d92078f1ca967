import { randomUUID } from "node:crypto";
import type { RecordWrite } from "../../core/history-store.js";
import type { Sql } from "./session.js";
import { insertColumns, outcomeColumns, Params } from "./sql.js";

/** Every column an insert may set, in one order: a row leaves out what its record has not (DEFAULT). */
const INSERT_COLUMNS = [
  "svc", "rid", "trigger", "scheduled_for", "attempt", "retry_of", "started_at", '"user"', "initiated_by", "session", "command",
  "log_file", "inherit_env", "node", "status", "owner_pid", "owner_start_time", "ended_at", "exit_code", "signal", "reason",
  "output_head", "output_tail", "output_bytes", "stdout_bytes", "stderr_bytes", "truncated", "duration_ms", "record_key",
];
/** Rows per INSERT statement (PostgreSQL takes at most 65,535 parameters per statement). */
const ROWS_PER_INSERT = 1000;

type Insert = Extract<RecordWrite, { kind: "begin" | "record" }>;

/**
 * A commit's writes in a few statements whatever their number (a burst's turn holds hundreds):
 * the new records in multi-row INSERTs, then their log paths, the pids and the outcomes each in
 * one UPDATE … FROM unnest, inside the caller's transaction. The answers are those of writing
 * them one by one, in order: a commit's updates never refer to a record it inserts (its id is not
 * known before the commit), inserts keep their order (a slot taken by an earlier row of the
 * batch is taken), a later pid of a record replaces an earlier one, and only the first outcome
 * of a record counts (a final record is never changed).
 */
export async function commitBatch(sql: Sql, writes: readonly RecordWrite[]): Promise<Array<number | null>> {
  const keyed = writes.map((w) => (w.kind === "begin" || w.kind === "record" ? { ...w, key: w.key ?? randomUUID() } : w));
  const inserts = keyed.filter((w): w is Insert & { key: string } => w.kind === "begin" || w.kind === "record");
  const idOf = new Map<string, number>();
  for (let i = 0; i < inserts.length; i += ROWS_PER_INSERT) {
    for (const [key, id] of await insertRows(sql, inserts.slice(i, i + ROWS_PER_INSERT))) idOf.set(key, id);
  }
  const logs = inserts.flatMap((w) => (w.kind === "begin" && w.logFileFor !== undefined && idOf.has(w.key) ? [[idOf.get(w.key)!, w.logFileFor(idOf.get(w.key)!)] as const] : []));
  if (logs.length > 0) {
    await sql(`UPDATE runs SET log_file = v.f FROM unnest($1::bigint[], $2::text[]) AS v(id, f) WHERE runs.id = v.id`, [logs.map(([id]) => id), logs.map(([, f]) => f)]);
  }
  await setPids(sql, keyed);
  await finishAll(sql, keyed);
  return keyed.map((w) => (w.kind === "begin" || w.kind === "record" ? idOf.get(w.key!) ?? null : null));
}

/** One INSERT … ON CONFLICT DO NOTHING: the key and id of each row written (a row whose slot is taken is not). */
async function insertRows(sql: Sql, rows: ReadonlyArray<Insert & { key: string }>): Promise<Array<[string, number]>> {
  const p = new Params();
  const values = rows.map((w) => {
    const cols = new Map(insertColumns(w.run, w.kind === "record" ? w.run : null, w.key));
    return `(${INSERT_COLUMNS.map((c) => (cols.has(c) ? p.add(cols.get(c)) : "DEFAULT")).join(", ")})`;
  });
  const r = await sql(`INSERT INTO runs (${INSERT_COLUMNS.join(", ")}) VALUES ${values.join(", ")} ON CONFLICT DO NOTHING RETURNING id, record_key`, p.values);
  return r.rows.map((row) => [row.record_key as string, row.id as number]);
}

async function setPids(sql: Sql, writes: readonly RecordWrite[]): Promise<void> {
  const last = new Map<number, Extract<RecordWrite, { kind: "pid" }>>();
  for (const w of writes) if (w.kind === "pid") last.set(w.id, w);
  if (last.size === 0) return;
  const ws = [...last.values()];
  await sql(`UPDATE runs SET pid = v.pid, pid_start_time = v.t FROM unnest($1::bigint[], $2::int[], $3::bigint[]) AS v(id, pid, t) WHERE runs.id = v.id`,
    [ws.map((w) => w.id), ws.map((w) => w.pid), ws.map((w) => w.pidStartTime)]);
}

async function finishAll(sql: Sql, writes: readonly RecordWrite[]): Promise<void> {
  const first = new Map<number, Extract<RecordWrite, { kind: "finish" }>>();
  for (const w of writes) if (w.kind === "finish" && !first.has(w.id)) first.set(w.id, w);
  if (first.size === 0) return;
  const rows = [...first.values()].map((w) => [w.id, ...outcomeColumns(w.outcome).map(([, v]) => v)]);
  const types = ["bigint", "text", "bigint", "int", "text", "text", "text", "text", "bigint", "bigint", "bigint", "bool"];
  const columns = types.map((_, i) => rows.map((r) => r[i]));
  await sql(`UPDATE runs SET status = v.status, ended_at = v.ended_at, exit_code = v.exit_code, signal = v.signal, reason = v.reason,
      output_head = v.oh, output_tail = v.ot, output_bytes = v.ob, stdout_bytes = v.sb, stderr_bytes = v.eb, truncated = v.tr,
      duration_ms = v.ended_at - runs.started_at
    FROM unnest(${types.map((t, i) => `$${i + 1}::${t}[]`).join(", ")}) AS v(id, status, ended_at, exit_code, signal, reason, oh, ot, ob, sb, eb, tr)
    WHERE runs.id = v.id AND runs.status = 'running'`, columns);
}
