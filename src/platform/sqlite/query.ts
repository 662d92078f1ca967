import type { HistoryQuery } from "../../core/history-store.js";
import { SELECT_RUN } from "./rows.js";


/**
 * SQL for a query, with `?` parameters only: the text depends on which filters are
 * present (not their values), so statements can be cached by text.
 */
export function buildQuery(q: HistoryQuery): { sql: string; where: string; params: unknown[] } {
  const conds: string[] = [];
  const params: unknown[] = [];
  const add = (cond: string, ...values: unknown[]) => {
    conds.push(cond);
    params.push(...values);
  };
  if (q.svc !== undefined) add("svc = ?", q.svc);
  if (q.rid !== undefined) add("rid = ?", q.rid);
  if (q.trigger !== undefined) add("trigger = ?", q.trigger);
  if (q.since !== undefined) add("started_at >= ?", q.since);
  if (q.until !== undefined) add("started_at < ?", q.until);
  if (q.before !== undefined) add("(started_at < ? OR (started_at = ? AND id < ?))", q.before.startedAt, q.before.startedAt, q.before.id);
  if (q.status !== undefined) {
    const list = typeof q.status === "string" ? [q.status] : q.status;
    add(`status IN (${list.map(() => "?").join(", ") || "NULL"})`, ...list);
  }
  const where = conds.length === 0 ? "" : `WHERE ${conds.join(" AND ")}`;
  let sql = `${SELECT_RUN} ${where} ORDER BY started_at DESC, id DESC`;
  if (q.limit !== undefined) {
    if (!Number.isInteger(q.limit) || q.limit < 0) throw new RangeError(`history query limit must be a non-negative integer, got ${q.limit}`);
    sql += " LIMIT ?";
    params.push(q.limit);
  }
  return { sql, where, params };
}
