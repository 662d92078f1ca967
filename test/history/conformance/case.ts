import type { HistoryStore } from "../../../src/core/history-store.js";
import type { StoreSpec } from "./stores.js";

/** What a case gets: a fresh, empty store, and how to open it again (another connection or file handle). */
export interface CaseContext {
  readonly history: HistoryStore;
  readonly spec: StoreSpec;
  /** Another opening of the same store, closed after the case. */
  reopen(): Promise<HistoryStore>;
}

/** One conformance case: the same inputs give the same results against every store. */
export interface ConformanceCase {
  readonly name: string;
  readonly timeout?: number;
  run(ctx: CaseContext): Promise<void>;
}
