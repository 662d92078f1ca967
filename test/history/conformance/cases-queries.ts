import assert from "node:assert/strict";
import type { HistoryStore } from "../../../src/core/history-store.js";
import type { RunStatus } from "../../../src/core/run-record.js";
import { DAY, HOUR, MINUTE, REFERENCE, manual, scheduled } from "../helpers.js";
import type { ConformanceCase } from "./case.js";

/**
 * A small history: db/task#0 (6 schedule records: succeeded, failed, skipped, missed, running,
 * succeeded), db/task#1 (2 manual), web/task#0 (1 schedule); two records share a start time.
 * Returns the ids in insertion order.
 */
async function fill(history: HistoryStore): Promise<number[]> {
  const ids: number[] = [];
  const done = async (slot: number, status: RunStatus, over = {}) => {
    const id = (await history.begin(scheduled(slot, over)))!;
    if (status !== "running") await history.finish(id, { status, endedAt: slot + MINUTE, exitCode: status === "failed" ? 1 : 0 });
    ids.push(id);
  };
  await done(REFERENCE, "succeeded");
  await done(REFERENCE + HOUR, "failed");
  ids.push((await history.record({ ...scheduled(REFERENCE + 2 * HOUR), status: "skipped", endedAt: REFERENCE + 2 * HOUR, reason: "requirements unmet" }))!);
  ids.push((await history.record({ ...scheduled(REFERENCE + 3 * HOUR), status: "missed", endedAt: REFERENCE + 3 * HOUR, reason: "daemon down" }))!);
  await done(REFERENCE + 4 * HOUR, "running");
  await done(REFERENCE + 5 * HOUR, "succeeded");
  ids.push((await history.begin(manual({ rid: "task#1", startedAt: REFERENCE + HOUR })))!);
  ids.push((await history.begin(manual({ rid: "task#1", startedAt: REFERENCE + HOUR })))!); // same start: id breaks the tie
  await done(REFERENCE + DAY, "succeeded", { svc: "web" });
  return ids;
}

const idsOf = async (p: Promise<{ id: number }[]>) => (await p).map((r) => r.id);

/** Queries, filters, limits, last runs and counts: the same answers from every store. */
export const queryCases: readonly ConformanceCase[] = [
  {
    name: "query: newest first (start time, then id), every filter alone and together, limits",
    async run({ history }) {
      const [s0, f1, k2, m3, r4, s5, a6, a7, w8] = (await fill(history)) as [number, number, number, number, number, number, number, number, number];
      assert.deepEqual(await idsOf(history.query()), [w8, s5, r4, m3, k2, a7, a6, f1, s0]);
      assert.deepEqual(await idsOf(history.query({ svc: "db" })), [s5, r4, m3, k2, a7, a6, f1, s0]);
      assert.deepEqual(await idsOf(history.query({ svc: "db", rid: "task#1" })), [a7, a6]);
      assert.deepEqual(await idsOf(history.query({ rid: "task#0" })), [w8, s5, r4, m3, k2, f1, s0]);
      assert.deepEqual(await idsOf(history.query({ status: "succeeded" })), [w8, s5, s0]);
      assert.deepEqual(await idsOf(history.query({ status: ["failed", "missed"] })), [m3, f1]);
      assert.deepEqual(await idsOf(history.query({ status: [] })), []);
      assert.deepEqual(await idsOf(history.query({ trigger: "manual" })), [a7, a6]);
      assert.deepEqual(await idsOf(history.query({ since: REFERENCE + HOUR, until: REFERENCE + 3 * HOUR })), [k2, a7, a6, f1]);
      assert.deepEqual(await idsOf(history.query({ svc: "db", status: ["running", "succeeded"], since: REFERENCE + 1 })), [s5, r4, a7, a6]);
      assert.deepEqual(await idsOf(history.query({ limit: 3 })), [w8, s5, r4]);
      // Several statuses with a limit (PostgreSQL: one branch per status, merged).
      assert.deepEqual(await idsOf(history.query({ status: ["succeeded", "missed", "failed"], limit: 3 })), [w8, s5, m3]);
      assert.deepEqual(await idsOf(history.query({ svc: "db", status: ["failed", "succeeded", "failed"], limit: 2 })), [s5, f1]);
      assert.deepEqual(await idsOf(history.query({ svc: "db", status: ["aborted", "interrupted"], limit: 5 })), []);
      const s5rec = (await history.get(s5))!;
      assert.deepEqual(await idsOf(history.query({ status: ["succeeded", "failed"], limit: 1, before: { startedAt: s5rec.startedAt, id: s5 } })), [f1]);
      assert.deepEqual(await idsOf(history.query({ svc: "db", trigger: "schedule", limit: 2 })), [s5, r4]);
      assert.deepEqual(await idsOf(history.query({ limit: 0 })), []);
      assert.deepEqual(await idsOf(history.query({ svc: "nosuch" })), []);
      await assert.rejects(history.query({ limit: -1 }), RangeError);
    },
  },
  {
    name: "changeToken: the same while nothing is written; another after a write here or through another connection (or null: no caching)",
    async run({ history, reopen }) {
      const t0 = await history.changeToken();
      if (t0 === null) {
        await history.begin(manual());
        assert.equal(await history.changeToken(), null, "a store that cannot tell says so every time");
        return;
      }
      await history.query();
      await history.lastRun("db", "task#0");
      assert.equal(await history.changeToken(), t0, "reads change nothing");
      const id = (await history.begin(manual()))!;
      const t1 = await history.changeToken();
      assert.notEqual(t1, t0, "a write here");
      const other = await reopen();
      await other.finish(id, { status: "succeeded", endedAt: REFERENCE + MINUTE });
      const t2 = await history.changeToken();
      assert.notEqual(t2, t1, "a write through another connection");
      assert.equal(await history.changeToken(), t2);
    },
  },
  {
    name: "keyset paging: pages of a query follow one another with no record twice or left out, ties on start time included",
    async run({ history }) {
      const ids = await fill(history);
      const all = await idsOf(history.query());
      for (const size of [1, 2, 4]) {
        const seen: number[] = [];
        let before: { startedAt: number; id: number } | undefined;
        for (;;) {
          const page = await history.query({ limit: size, ...(before === undefined ? {} : { before }) });
          seen.push(...page.map((r) => r.id));
          if (page.length < size) break;
          const last = page[page.length - 1]!;
          before = { startedAt: last.startedAt, id: last.id };
        }
        assert.deepEqual(seen, all, `pages of ${size}`);
      }
      const [a6, a7] = [ids[6]!, ids[7]!];
      // The two manual records share a start time: the page after the newer one starts with the older one.
      const newer = (await history.get(a7))!;
      assert.deepEqual(await idsOf(history.query({ svc: "db", rid: "task#1", before: { startedAt: newer.startedAt, id: newer.id } })), [a6]);
    },
  },
  {
    name: "lastRun (final records only; ranOnly passes over skipped and missed), inFlight oldest first",
    async run({ history }) {
      const [, , , , r4, s5, a6, a7] = await fill(history);
      assert.equal((await history.lastRun("db", "task#0"))!.id, s5);
      assert.equal(await history.lastRun("db", "task#1"), null, "in flight only");
      assert.equal(await history.lastRun("db", "nosuch"), null);
      // Without the newest success, the last run is the missed record; ranOnly goes back to the failure.
      const db2 = (await history.record({ ...scheduled(REFERENCE + 10 * HOUR, { rid: "task#2" }), status: "failed", endedAt: REFERENCE + 10 * HOUR }))!;
      const missed2 = (await history.record({ ...scheduled(REFERENCE + 11 * HOUR, { rid: "task#2" }), status: "missed", endedAt: REFERENCE + 11 * HOUR }))!;
      assert.equal((await history.lastRun("db", "task#2"))!.id, missed2);
      assert.equal((await history.lastRun("db", "task#2", { ranOnly: true }))!.id, db2);
      assert.deepEqual((await history.inFlight()).map((r) => r.id), [a6, a7, r4]);
    },
  },
  {
    name: "countByStatus: every status present (zeros included), filtered by task and time",
    async run({ history }) {
      const zero = await history.countByStatus();
      assert.deepEqual(Object.values(zero), Object.values(zero).map(() => 0));
      await fill(history);
      assert.deepEqual(await history.countByStatus(), {
        running: 3, succeeded: 3, failed: 1, timed_out: 0, skipped: 1, missed: 1, aborted: 0, interrupted: 0,
      });
      assert.deepEqual(await history.countByStatus({ svc: "db", rid: "task#0", since: REFERENCE + HOUR, until: REFERENCE + 4 * HOUR }), {
        running: 0, succeeded: 0, failed: 1, timed_out: 0, skipped: 1, missed: 1, aborted: 0, interrupted: 0,
      });
      const counts = await history.countByStatus({ svc: "web" });
      assert.equal(typeof counts.succeeded, "number");
      assert.equal(counts.succeeded, 1);
    },
  },
];
