import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { openHistory, type SqliteHistory } from "../../src/platform/sqlite/store.js";
import { asyncHistory } from "../../src/platform/sqlite/history-store.js";
import type { HistoryStore } from "../../src/core/history-store.js";
import type { NewRun } from "../../src/core/run-record.js";

/** A fresh temp dir removed after the test. */
export function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), "svcmgr-history-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A store on a real file in a fresh temp dir, closed after the test: `store` is the SQLite
 * history itself (synchronous), `history` the same database behind the HistoryStore interface.
 */
export function tempStore(t: TestContext): { store: SqliteHistory; history: HistoryStore; file: string; dir: string } {
  const dir = tempDir(t);
  const file = join(dir, "var", "history.sqlite");
  const store = openHistory(file);
  t.after(() => store.close());
  return { store, history: asyncHistory(store), file, dir };
}

export const REFERENCE = Date.parse("2026-07-01T00:00:00Z");
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export function manual(over: Partial<NewRun> = {}): NewRun {
  return { svc: "db", rid: "task#0", trigger: "manual", startedAt: REFERENCE, user: "root", initiatedBy: "alice", ...over };
}

export function scheduled(slot: number, over: Partial<NewRun> = {}): NewRun {
  return { svc: "db", rid: "task#0", trigger: "schedule", scheduledFor: slot, startedAt: slot, ...over };
}
