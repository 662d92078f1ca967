import type { HistoryStore, PrunePolicy } from "../core/history-store.js";

export interface PruneOptions {
  /** Records per write transaction. @default 500 */
  readonly batchSize?: number;
  /** Stop after this many batches (the rest waits for the next call). @default Infinity */
  readonly maxBatches?: number;
  /** Lets other work run between batches. @default setImmediate */
  readonly yieldBetween?: () => Promise<void>;
}

export interface PruneReport {
  readonly deleted: number;
  /** Log files that could not be removed, with the reason. */
  readonly fileErrors: { readonly file: string; readonly error: string }[];
  /** False when maxBatches stopped the pruning before the end. */
  readonly complete: boolean;
}

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Applies retention batch by batch, yielding between batches so runs keep being
 * recorded, and removes each batch's log files through `removeFile` (a missing
 * file is not an error for the caller to report: make `removeFile` tolerate it).
 */
export async function pruneHistory(
  store: HistoryStore,
  policy: PrunePolicy,
  now: number,
  removeFile: (file: string) => Promise<void>,
  opts: PruneOptions = {},
): Promise<PruneReport> {
  const maxBatches = opts.maxBatches ?? Infinity;
  const pause = opts.yieldBetween ?? nextTick;
  let deleted = 0;
  const fileErrors: { file: string; error: string }[] = [];
  for (let batch = 0; batch < maxBatches; batch++) {
    const r = await store.prune(policy, now, opts.batchSize);
    deleted += r.deleted;
    for (const file of r.logFiles) {
      await removeFile(file).catch((e: unknown) => void fileErrors.push({ file, error: (e as Error).message }));
    }
    if (!r.more) return { deleted, fileErrors, complete: true };
    await pause();
  }
  return { deleted, fileErrors, complete: false };
}
