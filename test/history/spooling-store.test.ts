/**
 * The daemon's PostgreSQL history while the server cannot be reached: a real server behind a
 * TCP relay the test cuts (connections reset, new ones refused) and restores. Writes go to
 * the spool file, the daemon's reads are answered, and the spool is replayed once the server
 * answers: nothing lost, nothing doubled.
 */
import { describe, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { HistoryStore, SpoolEvents, SpoolReplay } from "../../src/core/history-store.js";
import { StoreUnreachableError } from "../../src/history/errors.js";
import { openPostgresHistory } from "../../src/platform/postgres/store.js";
import { openSpoolingHistory } from "../../src/platform/postgres/spooling-store.js";
import { spoolFile } from "../../src/platform/postgres/spool-file.js";
import { freshDatabase, relayTo, skipUnlessPostgres, type Relay } from "../helpers/postgres.js";
import { manual, MINUTE, REFERENCE, scheduled, tempDir } from "./helpers.js";

interface Seen {
  degraded: string[];
  recovered: SpoolReplay[];
  failed: string[];
}

async function setup(t: TestContext): Promise<{ relay: Relay; url: string; spool: string; open: () => Promise<HistoryStore>; seen: Seen; direct: HistoryStore }> {
  const url = await freshDatabase(t);
  const relay = await relayTo(url);
  t.after(() => relay.close());
  const spool = join(tempDir(t), "var", "history-spool.jsonl");
  const seen: Seen = { degraded: [], recovered: [], failed: [] };
  const events: SpoolEvents = {
    degraded: (r) => void seen.degraded.push(r),
    recovered: (r) => void seen.recovered.push(r),
    replayFailed: (r) => void seen.failed.push(r),
  };
  const direct = await openPostgresHistory(url);
  t.after(() => direct.close());
  const opened: HistoryStore[] = [];
  t.after(async () => {
    for (const h of opened) await h.close();
  });
  const open = async () => {
    const h = await openSpoolingHistory({ url: relay.url, where: "pg", spool: spoolFile(spool), events, probeMs: 50, now: Date.now, open: openPostgresHistory });
    opened.push(h);
    return h;
  };
  return { relay, url, spool, open, seen, direct };
}

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    assert.ok(Date.now() < end, `timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const ok = (at: number) => ({ status: "succeeded" as const, endedAt: at, exitCode: 0 });

describe("PostgreSQL history with a spool (server cut off)", { skip: skipUnlessPostgres(), concurrency: true }, () => {
  test("writes go to the spool while the server is away, reads of last slots are answered, the replay writes each record once", async (t) => {
    const { relay, spool, open, seen, direct } = await setup(t);
    const h = await open();
    const before = (await h.begin(scheduled(REFERENCE), (id) => `/logs/${id}.log`))!;
    assert.ok(before > 0);
    assert.equal(await h.lastScheduled("db", "task#0"), REFERENCE);
    await relay.cut();
    // Begun before the cut, ended during it; a new slot begun, given a pid and ended; one recorded final; one left in flight.
    const [a, , b] = await h.commit([
      { kind: "begin", run: scheduled(REFERENCE + MINUTE), logFileFor: (id) => `/logs/${id}.log` },
      { kind: "finish", id: before, outcome: ok(REFERENCE + 10) },
      { kind: "record", run: { ...scheduled(REFERENCE + 2 * MINUTE), status: "missed", endedAt: REFERENCE + 2 * MINUTE, reason: "busy" } },
    ]);
    assert.ok(a! < 0 && b! < 0, `provisional ids are negative: ${a}, ${b}`);
    assert.equal(h.health().status, "degraded");
    assert.equal(seen.degraded.length, 1);
    assert.match(seen.degraded[0]!, /cannot connect|query failed/);
    await h.setPid(a!, 4242, 99);
    assert.equal(await h.finish(a!, ok(REFERENCE + MINUTE + 5)), true);
    const running = (await h.begin(scheduled(REFERENCE + 3 * MINUTE)))!;
    assert.equal(await h.begin(scheduled(REFERENCE + 3 * MINUTE)), null, "a spooled slot has its record");
    const hand = (await h.record({ ...manual({ startedAt: REFERENCE + 4 * MINUTE }), status: "failed", endedAt: REFERENCE + 4 * MINUTE + 1 }))!;
    assert.ok(hand < 0);
    assert.deepEqual(h.health(), { kind: "postgresql", status: "degraded", spooled: 5, spool, reason: h.health().reason });
    assert.ok(existsSync(spool));
    assert.equal(await h.lastScheduled("db", "task#0"), REFERENCE + 3 * MINUTE, "the newest slot written, though spooled");
    assert.equal((await h.lastAttempt("db", "task#0"))!.id, running);
    assert.equal(await h.nextAttempt("db", "task#0", REFERENCE + 3 * MINUTE), 2);
    await assert.rejects(h.query({}), (e: Error) => e instanceof StoreUnreachableError && e.message.includes(`5 record(s) wait in the spool ${spool}`));
    assert.deepEqual(await h.prune({ keepPerTask: 1, maxAgeDays: null }, REFERENCE, 10), { deleted: 0, logFiles: [], more: false });
    assert.equal((await direct.query({})).length, 1, "nothing reached the store");

    await relay.restore();
    await until("replayed", () => h.health().status === "ok");
    assert.deepEqual(seen.recovered, [{ spooled: 5, inserted: 4, known: 0, taken: 0 }]);
    assert.equal(existsSync(spool), false, "the spool is removed once replayed");
    const all = await direct.query({});
    assert.deepEqual(all.map((r) => [r.trigger, r.scheduledFor, r.status]).reverse(), [
      ["schedule", REFERENCE, "succeeded"],
      ["schedule", REFERENCE + MINUTE, "succeeded"],
      ["schedule", REFERENCE + 2 * MINUTE, "missed"],
      ["schedule", REFERENCE + 3 * MINUTE, "running"],
      ["manual", null, "failed"],
    ]);
    const slot1 = all.find((r) => r.scheduledFor === REFERENCE + MINUTE)!;
    assert.deepEqual([slot1.pid, slot1.pidStartTime, slot1.logFile], [4242, 99, `/logs/${a}.log`], "pid and the log path of its provisional id kept");
    // The run still in flight at the replay ends now: its provisional id names its record.
    assert.equal(await h.finish(running, ok(REFERENCE + 3 * MINUTE + 9)), true);
    const ended = (await direct.query({ status: "succeeded" })).find((r) => r.scheduledFor === REFERENCE + 3 * MINUTE);
    assert.ok(ended, "finished through its provisional id");
    assert.ok((await h.lastAttempt("db", "task#0"))!.id > 0, "last slots renamed to store ids");
  });

  test("a spool replayed twice (a crash before it was removed) and a slot recorded meanwhile by another writer: nothing doubled", async (t) => {
    const { relay, spool, open, seen, direct } = await setup(t);
    const h = await open();
    await relay.cut();
    await h.commit([
      { kind: "begin", run: scheduled(REFERENCE) },
      { kind: "record", run: { ...manual(), status: "succeeded", endedAt: REFERENCE + 1 } },
      { kind: "record", run: { ...scheduled(REFERENCE + MINUTE), status: "missed", endedAt: REFERENCE + MINUTE } },
    ]);
    const copy = `${spool}.copy`;
    copyFileSync(spool, copy);
    // Another node's daemon recorded the second slot while this one could not reach the store.
    await direct.record({ ...scheduled(REFERENCE + MINUTE), status: "succeeded", endedAt: REFERENCE + MINUTE + 1, node: "other" });
    await relay.restore();
    await until("replayed", () => h.health().status === "ok");
    assert.deepEqual([seen.recovered[0]!.inserted, seen.recovered[0]!.taken], [2, 1]);
    await h.close();
    // The spool again, as if the daemon died between the replay's commit and the file's removal.
    copyFileSync(copy, spool);
    const again = await open();
    assert.equal(again.health().status, "ok");
    assert.deepEqual([seen.recovered[1]!.inserted, seen.recovered[1]!.known, seen.recovered[1]!.taken], [0, 2, 1]);
    const all = await direct.query({});
    assert.equal(all.length, 3, JSON.stringify(all.map((r) => [r.trigger, r.scheduledFor, r.node])));
    assert.equal(all.find((r) => r.scheduledFor === REFERENCE + MINUTE)!.node, "other");
    assert.equal(readFileSync(copy, "utf8").split("\n").filter(Boolean).length, 3);
  });

  test("opened while the server is away: degraded from the start, replayed once it answers", async (t) => {
    const { relay, open, seen, direct } = await setup(t);
    await relay.cut();
    const h = await open();
    assert.equal(h.health().status, "degraded");
    assert.equal(await h.lastScheduled("db", "task#0"), null);
    await assert.rejects(h.inFlight(), StoreUnreachableError);
    const id = (await h.begin(scheduled(REFERENCE)))!;
    await h.finish(id, ok(REFERENCE + 1));
    await relay.restore();
    await until("replayed", () => h.health().status === "ok");
    assert.equal(seen.recovered[0]!.inserted, 1);
    assert.equal((await direct.query({ status: "succeeded" })).length, 1);
    assert.equal(seen.failed.length, 0);
  });
});
