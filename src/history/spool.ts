import type { CompleteRun, NewRun, RunOutcome } from "../core/run-record.js";

/**
 * The spool: record writes kept in a local file while the PostgreSQL history cannot be reached,
 * replayed in order once it answers. One entry per write, in write order.
 *
 * Ids: a record first written to the spool has a provisional id, negative (`provisionalIds`),
 * so it never names a store record; its pid and outcome refer to it. A record of the store
 * (begun before the outage) keeps its own, positive, id.
 *
 * Invariant: every record carries a stable `key` (a UUID, stored with it): a replayed record
 * that the store already holds (a replay cut short, a commit whose answer was lost) is
 * recognised by it, and a schedule slot recorded meanwhile by another record by the slot index.
 */
export type SpoolEntry =
  | { readonly op: "insert"; readonly id: number; readonly key: string; readonly run: NewRun | CompleteRun; readonly final: boolean }
  | { readonly op: "pid"; readonly id: number; readonly pid: number; readonly pidStartTime: number | null }
  | { readonly op: "finish"; readonly id: number; readonly outcome: RunOutcome }
  | { readonly op: "interrupt"; readonly id: number; readonly reason: string; readonly endedAt: number };

/** A record of the spool as replay writes it: inserted, then given its pid and outcome. */
export interface SpooledRecord {
  /** Its provisional id. */
  readonly id: number;
  readonly key: string;
  /** The record as begun (in flight) or recorded final (`final`). */
  readonly run: NewRun | CompleteRun;
  readonly final: boolean;
  pid: { readonly pid: number; readonly pidStartTime: number | null } | null;
  outcome: RunOutcome | null;
}

/** A change to a record the store already holds (positive id): applied after the inserts, in order. */
export type StoreUpdate = Exclude<SpoolEntry, { op: "insert" }>;

export interface FoldedSpool {
  /** In the order they were first written. */
  readonly records: SpooledRecord[];
  readonly updates: StoreUpdate[];
}

/**
 * The entries gathered per record: what replay writes. An update of a provisional id that has no
 * insert (a spool cut at its start) is dropped: nothing could have been written for it.
 */
export function foldSpool(entries: readonly SpoolEntry[]): FoldedSpool {
  const records: SpooledRecord[] = [];
  const byId = new Map<number, SpooledRecord>();
  const updates: StoreUpdate[] = [];
  for (const e of entries) {
    if (e.op === "insert") {
      const r: SpooledRecord = { id: e.id, key: e.key, run: e.run, final: e.final, pid: null, outcome: null };
      records.push(r);
      byId.set(e.id, r);
      continue;
    }
    if (e.id > 0) {
      updates.push(e);
      continue;
    }
    const r = byId.get(e.id);
    if (r === undefined) continue;
    if (e.op === "pid") r.pid = { pid: e.pid, pidStartTime: e.pidStartTime };
    else if (r.final || r.outcome !== null) continue; // a final record is never changed
    else if (e.op === "finish") r.outcome = e.outcome;
    else r.outcome = { status: "interrupted", reason: e.reason, endedAt: e.endedAt };
  }
  return { records, updates };
}

/** How many records the spool holds: its records, and the store's records it changes. */
export function spooledCount(folded: FoldedSpool): number {
  return folded.records.length + new Set(folded.updates.map((u) => u.id)).size;
}

/**
 * Provisional ids: negative, strictly decreasing in a process, and from the clock (1,000 per
 * millisecond) so that a later process's ids never meet an earlier one's: their output logs
 * (named by id) stay apart.
 */
export function provisionalIds(now: () => number): () => number {
  let last = 0;
  return () => (last = Math.min(-now() * 1000, last - 1));
}

/** Every spool line is one entry; a line that does not parse (cut by a crash mid-write) is skipped. */
export function parseSpool(text: string): { entries: SpoolEntry[]; bad: number } {
  const entries: SpoolEntry[] = [];
  let bad = 0;
  for (const line of text.split("\n")) {
    if (line === "") continue;
    try {
      const e = JSON.parse(line) as SpoolEntry;
      if (typeof e?.op === "string" && typeof e.id === "number") entries.push(e);
      else bad++;
    } catch {
      bad++;
    }
  }
  return { entries, bad };
}

export function spoolLine(e: SpoolEntry): string {
  return `${JSON.stringify(e)}\n`;
}
