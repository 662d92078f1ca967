/**
 * PostgreSQL down while the daemon runs: a server of the test's own is stopped (pg_ctl stop)
 * while a task runs every second, then started again. The daemon goes on running the task,
 * spools its records, says so in its log and in /api/v1/daemon, the CLI says where the records
 * are, and once the server is back every slot is recorded exactly once.
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { makeRoot } from "./helpers.js";
import { Daemon, killAllDaemons } from "./daemon-harness.js";
import { ownServer, skipUnlessOwnServer } from "../helpers/postgres.js";
import { openPostgresHistory } from "../../src/platform/postgres/store.js";
import { getJson } from "../../src/platform/daemon-client.js";

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("PostgreSQL history down while the daemon runs", { skip: skipUnlessOwnServer() }, () => {
  after(killAllDaemons);

  test("stopped and started again: tasks go on running, spooled, replayed; every slot recorded exactly once", { timeout: 120_000 }, async (t) => {
    const server = await ownServer(t);
    const root = makeRoot(t);
    root.writeConf("s", "[task#0]\ncommand = /bin/true\nschedule = @1s\n");
    const env = { SVCMGR_HISTORY: server.url };
    const daemon = Daemon.start(root, [], [], env);
    try {
      const spool = root.path("var", "history-spool.jsonl");
      await daemon.waitEvent("a first run", (e) => e.event === "finished", 20_000);
      server.stop();
      const degraded = await daemon.waitEvent("history-degraded", (e) => e.event === "history-degraded", 20_000);
      assert.match(degraded.message, /^history store degraded: history store postgresql:\/\/postgres@127\.0\.0\.1:\d+\/postgres: .*tasks go on running, their records are written to .*history-spool\.jsonl/);
      const startsBefore = daemon.events.filter((e) => e.event === "started").length;
      await pause(4_000);
      assert.ok(daemon.events.filter((e) => e.event === "started").length >= startsBefore + 2, `runs go on while the store is down\n${daemon.tail()}`);
      assert.ok(existsSync(spool), "the spool file holds the records");
      const answer = await getJson(root.path("var", "daemon.sock"), "/api/v1/daemon", 5_000);
      assert.ok(answer.ok, JSON.stringify(answer));
      const status = answer.body as { store: { status: string; spooled: number } };
      assert.equal(status.store.status, "degraded");
      assert.ok(status.store.spooled >= 2, JSON.stringify(status.store));
      const cli = await root.run(["-s", "s", "print", "history"], { env });
      assert.equal(cli.status, 2);
      assert.match(cli.stderr, /cannot connect: .*; \d+ record\(s\) of this node wait in the spool \S+history-spool\.jsonl \(the daemon writes them to the store once it answers again\)/);

      server.start();
      const recovered = await daemon.waitEvent("history-recovered", (e) => e.event === "history-recovered", 30_000);
      assert.ok((recovered.inserted as number) >= 2, recovered.message);
      assert.equal(existsSync(spool), false, "the spool is gone once replayed");
      await pause(2_500); // runs recorded straight into the store again
      assert.deepEqual(await daemon.stop(), { code: 0, signal: null });
    } finally {
      await daemon.stop("SIGKILL").catch(() => undefined);
    }
    const history = await openPostgresHistory(server.url);
    try {
      const records = (await history.query({ svc: "s" })).filter((r) => r.trigger === "schedule").reverse();
      const slots = records.map((r) => r.scheduledFor!);
      assert.equal(new Set(slots).size, slots.length, "no slot recorded twice");
      for (let i = 1; i < slots.length; i++) assert.equal(slots[i]! - slots[i - 1]!, 1000, `slot ${new Date(slots[i]!).toISOString()} follows the one before: none lost`);
      assert.ok(records.length >= 8, `${records.length} records`);
      // On a loaded machine a slot may find its previous run still going (skipped) or come late (missed): recorded all the same.
      assert.deepEqual(records.filter((r) => !["succeeded", "skipped", "missed"].includes(r.status)).map((r) => r.status), []);
      assert.ok(records.filter((r) => r.status === "succeeded").length >= 6, "runs went on, during the outage too");
      assert.deepEqual(await history.inFlight(), []);
    } finally {
      await history.close();
    }
  });
});
