import type { HistoryQuery, HistoryStore } from "../core/history-store.js";
import type { RunRecord } from "../core/run-record.js";
import { ApiProblem } from "./problem.js";

/**
 * Cursors of list responses: opaque to clients (base64url of the last item's sort key), so the
 * order can change without breaking them. A cursor that does not decode is a 400.
 */
export interface RunCursor {
  readonly startedAt: number;
  readonly id: number;
}

export function encodeCursor(c: RunCursor): string {
  return Buffer.from(`${c.startedAt}.${c.id}`, "utf8").toString("base64url");
}

export function decodeCursor(text: string | undefined): RunCursor | undefined {
  if (text === undefined || text === "") return undefined;
  const m = /^(\d{1,16})\.(\d{1,16})$/.exec(Buffer.from(text, "base64url").toString("utf8"));
  if (m === null) throw new ApiProblem(400, `cursor: "${text}" is not a cursor this API gave`, { field: "cursor" });
  return { startedAt: Number(m[1]), id: Number(m[2]) };
}

/** History pages are read past records the caller may not see, up to this many reads per answer. */
const MAX_SCANS = 20;

/**
 * One page of `size` records that `covers` accepts, newest first, after `before`; and where the
 * next page starts (null: no more). A full page goes on after its last record; a page cut short
 * by the scan bound goes on where the scan stopped. The API's run list and the UI's history use it.
 */
export async function coveredPage(
  history: HistoryStore, query: HistoryQuery, before: RunCursor | undefined, size: number, covers: (svc: string) => boolean,
): Promise<{ items: RunRecord[]; next: RunCursor | null }> {
  const items: RunRecord[] = [];
  let from = before;
  for (let scan = 0; scan < MAX_SCANS && items.length < size; scan++) {
    const page = await history.query({ ...query, limit: size + 1, ...(from === undefined ? {} : { before: from }) });
    for (const r of page.slice(0, size)) if (covers(r.svc) && items.length < size) items.push(r);
    if (page.length <= size) return { items, next: null }; // the history has no more
    const last = page[size - 1]!;
    from = { startedAt: last.startedAt, id: last.id };
  }
  const last = items[items.length - 1];
  const next = items.length === size && last !== undefined ? { startedAt: last.startedAt, id: last.id } : from;
  return { items, next: next ?? null };
}
