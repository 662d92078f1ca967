/**
 * `svcmgr history migrate --to URL`: the embedded history copied into PostgreSQL, every field
 * (output files' paths, pids, retries) kept, a second run copying nothing twice.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { hasStackTrace, makeRoot } from "./helpers.js";
import { freshDatabase, skipUnlessPostgres } from "../helpers/postgres.js";
import { openHistory } from "../../src/platform/sqlite/store.js";
import { openPostgresHistory } from "../../src/platform/postgres/store.js";
import type { RunRecord } from "../../src/core/run-record.js";

const AT = Date.parse("2026-07-01T00:00:00Z");

/** The fields a copy keeps (ids and retry links are the store's own). */
function comparable(r: RunRecord): Omit<RunRecord, "id" | "retryOf"> {
  const { id: _, retryOf: __, ...rest } = r;
  return rest;
}

describe("history migrate --to postgresql://…", { skip: skipUnlessPostgres(), concurrency: true }, () => {
  test("copies every final record with its fields; a second run copies nothing twice; --format json", async (t) => {
    const url = await freshDatabase(t);
    const root = makeRoot(t);
    root.writeConf("s", "[task#0]\ncommand = /bin/echo hello\n");
    assert.equal((await root.run(["-s", "s", "run"])).status, 0, "a real run: its output log's path is copied");
    const db = openHistory(root.path("var", "history.sqlite"));
    let running: number;
    try {
      const first = db.record({ svc: "s", rid: "task#1", trigger: "schedule", scheduledFor: AT, startedAt: AT, endedAt: AT + 5, status: "failed", exitCode: 2, node: null });
      db.record({ svc: "s", rid: "task#1", trigger: "schedule", scheduledFor: AT, attempt: 2, retryOf: first, startedAt: AT + 60_000, endedAt: AT + 60_005, status: "succeeded", node: "n1" });
      db.record({ svc: "s", rid: "task#1", trigger: "schedule", scheduledFor: AT + 3_600_000, startedAt: AT + 3_600_000, endedAt: AT + 3_600_000, status: "missed", reason: "daemon down", node: "n1" });
      running = db.begin({ svc: "s", rid: "task#2", trigger: "manual", startedAt: AT + 7_200_000, ownerPid: 1, node: "n1" })!;
    } finally {
      db.close();
    }
    // Another node already recorded the missed slot in the shared store: that record stays.
    const pg = await openPostgresHistory(url);
    try {
      await pg.record({ svc: "s", rid: "task#1", trigger: "schedule", scheduledFor: AT + 3_600_000, startedAt: AT + 3_600_001, endedAt: AT + 3_600_002, status: "succeeded", node: "other" });
    } finally {
      await pg.close();
    }

    const m = await root.run(["history", "migrate", "--to", url]);
    assert.equal(m.status, 0, m.stderr);
    assert.match(m.stdout, /^copied 3 of 5 record\(s\) from \S+history\.sqlite to postgresql:\/\/postgres:\*\*\*@[^\s]+\n/);
    assert.match(m.stdout, /\n  1 not copied: the store already has a record of their schedule slot\n/);
    assert.match(m.stdout, /\n  1 still running, not copied: run history migrate again once they have ended\n$/);
    assert.ok(!m.stdout.includes(new URL(url).password), "the password is never shown");

    const src = openHistory(root.path("var", "history.sqlite"));
    const pg2 = await openPostgresHistory(url);
    try {
      const copied = (await pg2.query({ svc: "s" })).filter((r) => r.node !== "other");
      const originals = src.query({ svc: "s" }).filter((r) => r.id !== running && r.scheduledFor !== AT + 3_600_000);
      assert.equal(copied.length, 3);
      const node = copied.find((r) => r.rid === "task#0")!.node;
      assert.deepEqual(copied.map(comparable), originals.map((r) => comparable({ ...r, node: r.node ?? node })), "same fields, a record without a node gets this node's");
      assert.match(copied.find((r) => r.rid === "task#0")!.logFile!, /\/log\/runs\/s\/task#0\/\d+\.log$/);
      const retry = copied.find((r) => r.attempt === 2)!;
      const retried = copied.find((r) => r.rid === "task#1" && r.attempt === 1 && r.scheduledFor === AT)!;
      assert.equal(retry.retryOf, retried.id, "the retry names its first attempt's new id");
      assert.equal(retried.node, node);
    } finally {
      src.close();
      await pg2.close();
    }

    const again = await root.run(["history", "migrate", "--to", url, "--format", "json"]);
    assert.equal(again.status, 0, again.stderr);
    const report = JSON.parse(again.stdout) as Record<string, unknown>;
    assert.deepEqual({ ...report, from: undefined, to: undefined }, { from: undefined, to: undefined, total: 5, copied: 0, known: 3, taken: 1, inFlight: 1 });
    assert.match(String(report.to), /^postgresql:\/\/postgres:\*\*\*@/);
    const pg3 = await openPostgresHistory(url);
    try {
      assert.equal((await pg3.query({})).length, 4, "nothing copied twice");
    } finally {
      await pg3.close();
    }
  });

  test("without --to, or with a URL that is not PostgreSQL's, or no embedded history: a usage error", async (t) => {
    const root = makeRoot(t);
    const none = await root.run(["history", "migrate"]);
    assert.equal(none.status, 2);
    assert.match(none.stderr, /--to postgresql:\/\/USER@HOST\[:PORT\]\/DATABASE is required/);
    const bad = await root.run(["history", "migrate", "--to", "mysql://root:pw@h/db"]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--to: bad PostgreSQL URL "mysql:\/\/root:\*\*\*@h\/db"/);
    const missing = await root.run(["history", "migrate", "--to", "postgresql://u@127.0.0.1:1/db"]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no embedded history to copy: \S+history\.sqlite does not exist/);
    for (const r of [none, bad, missing]) assert.equal(hasStackTrace(r.stderr), false);
  });
});
