/**
 * One conformance suite, every store: the same cases (same inputs, same expected results) run
 * against the embedded SQLite history and the PostgreSQL one. A PostgreSQL server is needed for
 * the second (SVCMGR_TEST_PG_URL; .ci/run starts one): without it those are skipped, said why.
 */
import { describe, test } from "node:test";
import type { HistoryStore } from "../../src/core/history-store.js";
import { STORE_KINDS, openSpec } from "./conformance/stores.js";
import type { ConformanceCase } from "./conformance/case.js";
import { recordCases } from "./conformance/cases-records.js";
import { queryCases } from "./conformance/cases-queries.js";
import { lifecycleCases } from "./conformance/cases-lifecycle.js";
import { concurrencyCases } from "./conformance/cases-concurrency.js";
import { bucketCases } from "./conformance/cases-buckets.js";

const CASES: readonly ConformanceCase[] = [...recordCases, ...queryCases, ...lifecycleCases, ...concurrencyCases, ...bucketCases];

for (const kind of STORE_KINDS) {
  describe(`history store conformance: ${kind.name}`, { skip: kind.skip() }, () => {
    for (const c of CASES) {
      test(c.name, { timeout: c.timeout ?? 30_000 }, async (t) => {
        const spec = await kind.fresh(t);
        const opened: HistoryStore[] = [];
        const open = async () => {
          const h = await openSpec(spec);
          opened.push(h);
          return h;
        };
        t.after(async () => {
          for (const h of opened) await h.close().catch(() => undefined); // a case may have closed it already
        });
        await c.run({ history: await open(), spec, reopen: open });
      });
    }
  });
}
