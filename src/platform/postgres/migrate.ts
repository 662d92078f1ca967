import { copyHistory, type CopyReport } from "../../history/copy.js";
import { openHistory } from "../sqlite/store.js";
import { openPostgresHistory } from "./store.js";

/**
 * `history migrate`: the embedded history at `file` copied into the PostgreSQL store at `url`
 * (its schema made or upgraded first), records and output files' paths, idempotently.
 */
export async function migrateSqliteHistory(file: string, url: string, node: string, onProgress: (done: number, report: CopyReport) => void): Promise<CopyReport> {
  const src = openHistory(file);
  try {
    const dst = await openPostgresHistory(url);
    try {
      const source = {
        count: () => Object.values(src.countByStatus()).reduce((a, b) => a + b, 0),
        after: (id: number, limit: number) => src.runsAfter(id, limit),
        get: (id: number) => src.get(id),
      };
      return await copyHistory(source, { write: (batch) => dst.importRecords(batch) }, node, onProgress);
    } finally {
      await dst.close();
    }
  } finally {
    src.close();
  }
}
