/**
 * Issue 18: `svcmgr -s X takeover` between real daemons on a real etcd. The owner's run in
 * progress (on_ownership_loss = finish) ends before the hand-over; the new owner continues
 * from the slots claimed in etcd; no slot runs twice (counted from the tasks' own output).
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { killAllDaemons, records } from "./daemon-harness.js";
import { doubles, makeCluster, waitUntil, type ClusterNode } from "./cluster-harness.js";
import { etcdUrlFor, skipUnlessEtcd } from "../helpers/etcd.js";

after(() => killAllDaemons());

// Each run writes its line, then lasts 2 s more (post_run): a run is in progress at most times.
const DB = `[DEFAULT]\nnodes = n1 n2\n\n[task#0]\ncommand = {record}\npost_run = sleep 2\nschedule = */3 * * * * *\non_ownership_loss = finish\n`;

describe("cluster: graceful takeover, real daemons", { skip: skipUnlessEtcd(), timeout: 120_000 }, () => {
  test("svcmgr -s db takeover: the owner finishes its run, hands over; the new owner continues; no slot twice", async (t) => {
    const c = makeCluster(t, await etcdUrlFor(t), ["n1", "n2"], { db: DB }, "4s");
    const [n1, n2] = c.nodes as [ClusterNode, ClusterNode];
    n1.start();
    await waitUntil("n1 runs db", () => c.runs().some((r) => r.node === "n1"), 30_000);
    n2.start();
    await n2.daemon!.waitEvent("n2 joined", (e) => e.event === "cluster-joined", 20_000);
    const before = c.runs().length;
    const r = await n2.root.run(["-s", "db", "takeover", "--timeout", "30s"], { timeoutMs: 40_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^db: now owned by n2 \(fencing token \d+\), was n1\n$/);
    const token = /fencing token (\d+)/.exec(r.stdout)![1]!;
    await waitUntil("two runs on n2", () => c.runs().filter((x) => x.node === "n2").length >= 2, 30_000);
    const runs = c.runs();
    assert.deepEqual(doubles(runs), []);
    assert.ok(before >= 1);
    // n1 ran first, n2 after, never interleaved; n2's runs carry the new token.
    const firstN2 = runs.findIndex((x) => x.node === "n2");
    assert.ok(runs.slice(firstN2).every((x) => x.node === "n2" && x.token === token), JSON.stringify(runs));
    assert.ok(runs.slice(0, firstN2).every((x) => x.node === "n1"), JSON.stringify(runs));
    // finish: n1's runs all ended as they would have (none aborted by the hand-over).
    const n1Runs = records(n1.root).filter((x) => x.svc === "db" && x.status !== "skipped" && x.status !== "missed");
    assert.ok(n1Runs.length >= 1);
    assert.deepEqual([...new Set(n1Runs.map((x) => x.status))], ["succeeded"]);
    assert.ok(n1.daemon!.find("cluster-released", "db").length >= 1, "n1 logged the hand-over");
  });
});
