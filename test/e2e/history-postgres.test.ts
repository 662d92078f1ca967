/**
 * The PostgreSQL history through the CLI: chosen by `--history URL` or node.conf `[history]
 * store`, records carry the node, the password comes from the URL or a password file and is
 * never shown (print config, errors).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hasStackTrace, makeRoot } from "./helpers.js";
import { freshDatabase, skipUnlessPostgres } from "../helpers/postgres.js";
import { openPostgresHistory } from "../../src/platform/postgres/store.js";
import { Daemon, killAllDaemons } from "./daemon-harness.js";
import { after } from "node:test";

interface JsonRecord {
  id: number;
  svc: string;
  rid: string;
  status: string;
  node: string | null;
}

/** The URL without its password, and the password. */
function split(url: string): { bare: string; password: string; host: string; port: string; user: string } {
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = "";
  return { bare: u.toString(), password, host: u.hostname, port: u.port, user: decodeURIComponent(u.username) };
}

describe("PostgreSQL history store (CLI)", { skip: skipUnlessPostgres(), concurrency: true }, () => {
  test("--history URL: runs are recorded there with the node name, not in the embedded file; print history reads them", async (t) => {
    const url = await freshDatabase(t);
    const root = makeRoot(t);
    root.writeConf("s", "[task#0]\ncommand = /bin/echo hello\n");
    const env = { SVCMGR_NODENAME: undefined };
    const r = await root.run(["--history", url, "-s", "s", "run", "--rid", "task#0"], { env });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(existsSync(join(root.dir, "var", "history.sqlite")), false, "the embedded history is not created");
    const h = await root.run(["--history", url, "-s", "s", "print", "history", "--format", "json"], { env });
    assert.equal(h.status, 0, h.stderr);
    const records = JSON.parse(h.stdout) as JsonRecord[];
    assert.equal(records.length, 1);
    assert.equal(records[0]!.status, "succeeded");
    assert.equal(typeof records[0]!.node, "string");
    assert.notEqual(records[0]!.node, "");
    const embedded = await root.run(["-s", "s", "print", "history", "--format", "json"]);
    assert.deepEqual(JSON.parse(embedded.stdout), [], "without --history: the embedded store, empty");
  });

  test("node.conf [history] store with a password: used, and never printed (print config, validate, errors)", async (t) => {
    const url = await freshDatabase(t);
    const { password } = split(url);
    const root = makeRoot(t);
    root.writeConf("node", `[history]\nstore = ${url}\n`);
    root.writeConf("s", "[task#0]\ncommand = /bin/true\n");
    const r = await root.run(["-s", "s", "run"]);
    assert.equal(r.status, 0, r.stderr);
    const h = await root.run(["-s", "s", "print", "history", "--format", "json"]);
    assert.equal((JSON.parse(h.stdout) as JsonRecord[]).length, 1);
    for (const args of [["node", "print", "config"], ["node", "print", "config", "--format", "json"], ["node", "validate"]]) {
      const p = await root.run(args);
      assert.equal(p.status, 0, p.stderr);
      assert.ok(!p.stdout.includes(password) && !p.stderr.includes(password), `${args.join(" ")} shows the password`);
    }
    assert.match((await root.run(["node", "print", "config"])).stdout, /history\.store\s+postgresql:\/\/postgres:\*\*\*@/);
    // A bad value names file:line and what is allowed, the password masked.
    const file = root.writeConf("node", `[history]\nstore = mysql://root:${password}@h/db\n`);
    const v = await root.run(["node", "validate"]);
    assert.equal(v.status, 2);
    assert.match(v.stdout, new RegExp(`${file.replace(/[.]/g, "\\.")}:2: \\[history\\] store = "mysql://root:\\*\\*\\*@h/db": error: bad value: expected sqlite .* or a postgresql://`));
    assert.ok(!v.stdout.includes(password) && !v.stderr.includes(password));
  });

  test("a URL without a password takes it from PGPASSFILE; a wrong one or no server is a clear error, password masked", async (t) => {
    const url = await freshDatabase(t);
    const { bare, password, host, port, user } = split(url);
    const root = makeRoot(t);
    root.writeConf("s", "[task#0]\ncommand = /bin/true\n");
    const passfile = join(root.dir, "pgpass");
    writeFileSync(passfile, `${host}:${port}:*:${user}:${password}\n`, { mode: 0o600 });
    const ok = await root.run(["--history", bare, "-s", "s", "run"], { env: { PGPASSFILE: passfile, PGPASSWORD: undefined } });
    assert.equal(ok.status, 0, ok.stderr);
    // The URL may name the file itself (passfile=, as for psql); one that others may read is refused.
    const named = new URL(bare);
    named.searchParams.set("passfile", passfile);
    const viaUrl = await root.run(["--history", named.toString(), "-s", "s", "run"], { env: { PGPASSFILE: undefined, PGPASSWORD: undefined } });
    assert.equal(viaUrl.status, 0, viaUrl.stderr);
    chmodSync(passfile, 0o644);
    const open = await root.run(["--history", named.toString(), "-s", "s", "run"], { env: { PGPASSFILE: undefined, PGPASSWORD: undefined } });
    assert.equal(open.status, 2, open.stderr);
    assert.equal(open.stderr, `svcmgr: history store password file ${passfile} may be read by group or others (mode 0644): chmod 600 it\n`);
    const wrong = new URL(url);
    wrong.password = "not-the-password-4242";
    const bad = await root.run(["--history", wrong.toString(), "-s", "s", "print", "history"], { env: { PGPASSWORD: undefined } });
    assert.equal(bad.status, 2, bad.stderr);
    assert.match(bad.stderr, /^svcmgr: history store postgresql:\/\/postgres:\*\*\*@.*: cannot connect: password authentication failed/);
    assert.ok(!bad.stderr.includes("not-the-password-4242"));
    assert.equal(hasStackTrace(bad.stderr), false);
    const closed = new URL(url);
    closed.port = "1"; // nothing listens there
    const down = await root.run(["--history", closed.toString(), "-s", "s", "run"]);
    assert.equal(down.status, 2, down.stderr);
    assert.match(down.stderr, /history store postgresql:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/.*: cannot connect: .*ECONNREFUSED/);
    assert.ok(!down.stderr.includes(password));
    const junk = await root.run(["--history", "redis://x", "-s", "s", "print", "history"]);
    assert.equal(junk.status, 2);
    assert.match(junk.stderr, /bad history store "redis:\/\/x" \(unknown store\): expected sqlite or a postgresql:\/\//);
  });

  test("print history shows a NODE column once records of more than one node are in the store", async (t) => {
    const url = await freshDatabase(t);
    const root = makeRoot(t);
    root.writeConf("s", "[task#0]\ncommand = /bin/true\n");
    const history = await openPostgresHistory(url);
    const at = Date.parse("2026-07-01T00:00:00Z");
    try {
      await history.record({ svc: "s", rid: "task#0", trigger: "manual", startedAt: at, endedAt: at + 1, status: "succeeded", node: "node-a" });
      const table = await root.run(["--history", url, "-s", "s", "print", "history"]);
      assert.equal(table.status, 0, table.stderr);
      assert.doesNotMatch(table.stdout, /NODE/, "one node: no column");
      await history.record({ svc: "s", rid: "task#0", trigger: "manual", startedAt: at + 60_000, endedAt: at + 60_001, status: "failed", node: "node-b" });
    } finally {
      await history.close();
    }
    const table = await root.run(["--history", url, "-s", "s", "print", "history"]);
    assert.equal(table.status, 0, table.stderr);
    const lines = table.stdout.trimEnd().split("\n");
    assert.match(lines[0]!, /^ID\s+NODE\s+SERVICE\s+RID/);
    assert.match(lines[1]!, /^2\s+node-b\s+s\s+task#0\s.*failed/);
    assert.match(lines[2]!, /^1\s+node-a\s+s\s+task#0\s.*succeeded/);
  });

  test("a daemon starting recovers its own node's runs left in flight, never another node's", { timeout: 120_000 }, async (t) => {
    const url = await freshDatabase(t);
    const root = makeRoot(t);
    root.writeConf("s", "[task#0]\ncommand = /bin/true\n");
    const history = await openPostgresHistory(url);
    try {
      const at = Date.now() - 60_000; // recent: not pruned by the daemon's retention
      const gone = { ownerPid: 999_999, ownerStartTime: 1 }; // no such process, on either node
      const mine = (await history.begin({ svc: "s", rid: "task#0", trigger: "manual", startedAt: at, node: "node-a", ...gone }))!;
      const theirs = (await history.begin({ svc: "s", rid: "task#0", trigger: "manual", startedAt: at + 1, node: "node-b", ...gone }))!;
      const daemon = Daemon.start(root, [], [], { SVCMGR_HISTORY: url, SVCMGR_NODENAME: "node-a" });
      try {
        await daemon.waitEvent("daemon started", (e) => e.event === "daemon-started", 30_000);
        // A generous wait: this file's other tests run beside it and may hold this process's event loop.
        assert.deepEqual(await daemon.stop("SIGTERM", 60_000), { code: 0, signal: null });
      } finally {
        await daemon.stop("SIGKILL").catch(() => undefined);
      }
      assert.equal((await history.get(mine))!.status, "interrupted");
      assert.equal((await history.get(theirs))!.status, "running", "node-b's run is node-b's daemon to recover");
    } finally {
      await history.close();
    }
  });

  test("a daemon and a CLI writing to the store at once: every scheduled slot once, every manual run, each naming its node", { timeout: 90_000 }, async (t) => {
    const url = await freshDatabase(t);
    const root = makeRoot(t);
    root.writeConf("s", "[task#0]\ncommand = /bin/true\nschedule = @1s\n\n" + [1, 2, 3].map((i) => `[task#${i}]\ncommand = /bin/true\n`).join("\n"));
    const env = { SVCMGR_HISTORY: url };
    const daemon = Daemon.start(root, [], [], env);
    const history = await openPostgresHistory(url);
    try {
      const manual = await Promise.all([1, 2, 3].map((i) => root.run(["-s", "s", "run", "--rid", `task#${i}`], { env })));
      for (const r of manual) assert.equal(r.status, 0, r.stderr);
      const deadline = Date.now() + 30_000;
      while ((await history.query({ rid: "task#0", status: "succeeded" })).length < 3) {
        assert.ok(Date.now() < deadline, `the daemon recorded no 3 scheduled runs in 30 s\n${daemon.tail()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      assert.deepEqual(await daemon.stop(), { code: 0, signal: null });
      const records = await history.query({ svc: "s" });
      const scheduled = records.filter((r) => r.trigger === "schedule");
      assert.equal(new Set(scheduled.map((r) => `${r.scheduledFor}#${r.attempt}`)).size, scheduled.length, "no slot recorded twice");
      assert.equal(records.filter((r) => r.trigger === "manual" && r.status === "succeeded").length, 3);
      assert.deepEqual(await history.inFlight(), [], "nothing left in flight after the daemon stopped");
      assert.equal(new Set(records.map((r) => r.node)).size, 1, "one node wrote them all");
      assert.equal(typeof records[0]!.node, "string");
    } finally {
      await history.close();
      await daemon.stop("SIGKILL").catch(() => undefined);
    }
  });
});

after(killAllDaemons);
