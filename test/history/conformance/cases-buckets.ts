import assert from "node:assert/strict";
import { BUCKET_MS, type HistoryStore, type RunBucket } from "../../../src/core/history-store.js";
import type { FinalStatus } from "../../../src/core/run-record.js";
import { DAY, HOUR, MINUTE, REFERENCE, manual, scheduled } from "../helpers.js";
import type { ConformanceCase } from "./case.js";

const SECOND = 1000;

/** A run of `svc`/`rid` that started at `at` and ended `ms` later with `status`. */
async function ran(history: HistoryStore, at: number, ms: number, status: FinalStatus, over: { svc?: string; rid?: string; schedule?: boolean } = {}): Promise<void> {
  const who = { svc: over.svc ?? "db", rid: over.rid ?? "task#0" };
  const run = over.schedule === false ? manual({ ...who, startedAt: at }) : scheduled(at, who);
  const id = (await history.begin(run))!;
  await history.finish(id, { status, endedAt: at + ms, exitCode: status === "succeeded" ? 0 : 1 });
}

const bucket = (svc: string, rid: string, start: number, runs: number, failures: number, sum: number, max: number | null): RunBucket =>
  ({ svc, rid, start, runs, failures, durationMsSum: sum, durationMsMax: max, timed: runs });

/** The aggregate behind GET /api/v1/stats: runs per task and quarter hour, never the records that did not run. */
export const bucketCases: readonly ConformanceCase[] = [
  {
    name: "runBuckets: runs per task and quarter hour (count, failures, duration sum and max); running, skipped and missed left out",
    async run({ history }) {
      assert.deepEqual(await history.runBuckets(), []);
      const q0 = REFERENCE; // 00:00 UTC, a bucket start
      await ran(history, q0, 2 * SECOND, "succeeded");
      await ran(history, q0 + 5 * MINUTE, 10 * SECOND, "failed");
      await ran(history, q0 + 14 * MINUTE + 59 * SECOND, 4 * SECOND, "timed_out"); // last instant of the first bucket, or near it
      await ran(history, q0 + 15 * MINUTE, SECOND, "succeeded"); // next bucket
      await ran(history, q0 + 16 * MINUTE, 3 * SECOND, "aborted", { schedule: false });
      await history.record({ ...scheduled(q0 + 20 * MINUTE), status: "skipped", endedAt: q0 + 20 * MINUTE, reason: "requires" });
      await history.record({ ...scheduled(q0 + 21 * MINUTE), status: "missed", endedAt: q0 + 21 * MINUTE, reason: "daemon down" });
      await history.begin(scheduled(q0 + 22 * MINUTE)); // still running
      const interrupted = (await history.begin(scheduled(q0 + DAY)))!;
      await history.markInterrupted(interrupted, "daemon gone", q0 + DAY + 7 * SECOND);
      await ran(history, q0 + HOUR, 5 * SECOND, "succeeded", { svc: "web" });
      await ran(history, q0 + HOUR, 6 * SECOND, "succeeded", { rid: "task#1" });

      const all = await history.runBuckets();
      assert.deepEqual(all, [
        bucket("db", "task#0", q0, 3, 2, 16 * SECOND, 10 * SECOND),
        bucket("db", "task#0", q0 + 15 * MINUTE, 2, 1, 4 * SECOND, 3 * SECOND),
        bucket("db", "task#0", q0 + DAY, 1, 1, 7 * SECOND, 7 * SECOND),
        bucket("db", "task#1", q0 + HOUR, 1, 0, 6 * SECOND, 6 * SECOND),
        bucket("web", "task#0", q0 + HOUR, 1, 0, 5 * SECOND, 5 * SECOND),
      ]);
      for (const b of all) {
        assert.equal(b.start % BUCKET_MS, 0);
        for (const v of [b.start, b.runs, b.failures, b.durationMsSum, b.durationMsMax, b.timed]) assert.equal(typeof v, "number");
      }
      assert.deepEqual(await history.runBuckets({ svc: "db", rid: "task#0", since: q0 + 15 * MINUTE, until: q0 + DAY }), [all[1]]);
      assert.deepEqual(await history.runBuckets({ svc: "web" }), [all[4]]);
      assert.deepEqual(await history.runBuckets({ rid: "task#0", since: q0 + HOUR }), [all[2], all[4]]);
      assert.deepEqual(await history.runBuckets({ svc: "nosuch" }), []);
    },
  },
  {
    name: "runBuckets: a bucket is the quarter hour of the start time, whatever the end; pruning what it counted makes it fall",
    async run({ history }) {
      await ran(history, REFERENCE + 14 * MINUTE, 2 * HOUR, "succeeded");
      assert.deepEqual(await history.runBuckets(), [bucket("db", "task#0", REFERENCE, 1, 0, 2 * HOUR, 2 * HOUR)]);
      const r = await history.prune({ keepPerTask: null, maxAgeDays: 1 }, REFERENCE + 3 * DAY);
      assert.equal(r.deleted, 1);
      assert.deepEqual(await history.runBuckets(), [], "the history's statistics follow its records (the metrics' counters do not)");
    },
  },
];
