import type { PrunePolicy } from "./history-store.js";

/** Refuses a retention policy or batch size no store can apply (a programming error, not user input). */
export function checkPrunePolicy(p: PrunePolicy, batchSize: number): void {
  const bad = (v: number | null) => v !== null && (!Number.isInteger(v) || v < 0);
  if (bad(p.keepPerTask)) throw new RangeError(`history retention: keepPerTask must be a non-negative integer or null, got ${p.keepPerTask}`);
  if (p.maxAgeDays !== null && !(p.maxAgeDays >= 0)) throw new RangeError(`history retention: maxAgeDays must be >= 0 or null, got ${p.maxAgeDays}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`history prune batch size must be a positive integer, got ${batchSize}`);
}
