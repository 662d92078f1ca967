/**
 * The stores the conformance suite runs against: the embedded SQLite file and a PostgreSQL
 * database (a fresh one per case, on the server of SVCMGR_TEST_PG_URL).
 */
import { join } from "node:path";
import type { TestContext } from "node:test";
import type { HistoryStore } from "../../../src/core/history-store.js";
import { openHistoryStore } from "../../../src/platform/sqlite/history-store.js";
import { openPostgresHistory } from "../../../src/platform/postgres/store.js";
import { freshDatabase, skipUnlessPostgres } from "../../helpers/postgres.js";
import { tempDir } from "../helpers.js";

/** Where a store lives: `sqlite:FILE` or a PostgreSQL URL; what a writer process is given. */
export type StoreSpec = string;

export async function openSpec(spec: StoreSpec): Promise<HistoryStore> {
  return spec.startsWith("sqlite:") ? openHistoryStore(spec.slice("sqlite:".length)) : openPostgresHistory(spec);
}

export interface StoreKind {
  readonly name: string;
  /** The `skip` option of its suite. */
  readonly skip: () => string | false;
  /** A fresh, empty store's location, removed after the test. */
  readonly fresh: (t: TestContext) => Promise<StoreSpec>;
}

export const STORE_KINDS: readonly StoreKind[] = [
  { name: "sqlite", skip: () => false, fresh: async (t) => `sqlite:${join(tempDir(t), "var", "history.sqlite")}` },
  { name: "postgresql", skip: skipUnlessPostgres, fresh: freshDatabase },
];
