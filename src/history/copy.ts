import { createHash } from "node:crypto";
import type { RunRecord } from "../core/run-record.js";

/** A record to copy, with its stable key and the key of the record it retries. */
export interface KeyedRecord {
  readonly record: RunRecord;
  readonly key: string;
  readonly retryOfKey: string | null;
}

/** The history copied from: records page by page, by id. */
export interface CopySource {
  count(): number;
  after(id: number, limit: number): RunRecord[];
  get(id: number): RunRecord | null;
}

/** The history copied to: a batch written in one transaction, with what became of it. */
export interface CopyTarget {
  write(batch: readonly KeyedRecord[]): Promise<{ readonly inserted: number; readonly known: number; readonly taken: number }>;
}

export interface CopyReport {
  /** Records in the source. */
  readonly total: number;
  /** Written now. */
  readonly copied: number;
  /** Already in the target (an earlier copy). */
  readonly known: number;
  /** Schedule records whose slot the target already had another record of (another node's, the daemon's). */
  readonly taken: number;
  /** Still running: not copied (copy again once they end). */
  readonly inFlight: number;
}

export const COPY_BATCH = 500;

/**
 * The stable key of a record copied from this node's history: the same record always gets the
 * same key (so a second copy is recognised), two records never one (the source id and its
 * start are part of it, and the node, as several nodes' histories may be copied into one store).
 */
export function copyKey(node: string, r: RunRecord): string {
  const h = createHash("sha256").update(JSON.stringify(["svcmgr-copy", node, r.id, r.svc, r.rid, r.trigger, r.scheduledFor, r.attempt, r.startedAt, r.session])).digest();
  h[6] = (h[6]! & 0x0f) | 0x50; // a name-based UUID (version 5 layout)
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/**
 * Copies every final record of `src` into `dst`, oldest id first, `batch` at a time; a record
 * without a node gets `node` (it was written here). Idempotent: a second copy writes nothing.
 */
export async function copyHistory(src: CopySource, dst: CopyTarget, node: string, onProgress: (done: number, report: CopyReport) => void, batch = COPY_BATCH): Promise<CopyReport> {
  const total = src.count();
  let report: CopyReport = { total, copied: 0, known: 0, taken: 0, inFlight: 0 };
  let done = 0;
  for (let last = 0; ; ) {
    const page = src.after(last, batch);
    if (page.length === 0) break;
    last = page[page.length - 1]!.id;
    done += page.length;
    const final = page.filter((r) => r.status !== "running");
    const r = await dst.write(final.map((rec) => keyed(src, node, rec)));
    report = { total, copied: report.copied + r.inserted, known: report.known + r.known, taken: report.taken + r.taken, inFlight: report.inFlight + page.length - final.length };
    onProgress(done, report);
  }
  return report;
}

function keyed(src: CopySource, node: string, rec: RunRecord): KeyedRecord {
  const record = rec.node === null ? { ...rec, node } : rec;
  const retried = rec.retryOf === null ? null : src.get(rec.retryOf);
  return { record, key: copyKey(rec.node ?? node, rec), retryOfKey: retried === null ? null : copyKey(retried.node ?? node, retried) };
}
