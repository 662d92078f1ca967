/**
 * A cluster sharing one PostgreSQL history: three daemons, a failover task, kill -9 of the
 * owner. Every run the tasks wrote has exactly one record in the shared history, by the node
 * that ran it; the nodes that did not run a slot wrote nothing for it; `print history` on any
 * node shows every node's records with a NODE column.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import pg from "pg";
import { doubles, makeCluster, waitUntil } from "./cluster-harness.js";
import { etcdUrlFor, skipUnlessEtcd } from "../helpers/etcd.js";
import { freshDatabase, skipUnlessPostgres } from "../helpers/postgres.js";

const skip = skipUnlessEtcd() || skipUnlessPostgres();

async function rows(url: string): Promise<{ node: string; slot: string; status: string }[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const r = await client.query<{ node: string; scheduled_for: string | Date | number; status: string }>("SELECT node, scheduled_for, status FROM runs WHERE svc = 'db' AND rid = 'task#1'");
    return r.rows.map((x) => ({ node: x.node, slot: new Date(typeof x.scheduled_for === "string" && /^\d+$/.test(x.scheduled_for) ? Number(x.scheduled_for) : x.scheduled_for).toISOString().replace(".000Z", "Z"), status: x.status }));
  } finally {
    await client.end();
  }
}

describe("cluster with a shared PostgreSQL history", { skip, timeout: 180_000 }, () => {
  test("one record per slot run, by the node that ran it, across a hand-over; print history shows the nodes", async (t) => {
    const history = await freshDatabase(t);
    const conf = "[DEFAULT]\nnodes = n1 n2 n3\n\n[task#1]\ncommand = {record}\nschedule = */2 * * * * *\n";
    const c = makeCluster(t, await etcdUrlFor(t), ["n1", "n2", "n3"], { db: conf }, "3s");
    for (const n of c.nodes) n.root.writeConf("node", `${readFileSync(n.root.path("etc", "node.conf"), "utf8")}\n[history]\nstore = ${history}\n`);
    for (const n of c.nodes) n.start();
    await waitUntil("three runs", () => c.runs().length >= 3, 60_000);
    const owner = c.nodes.find((n) => n.name === c.runs().at(-1)!.node)!;
    const last = Math.max(...c.runs().map((r) => Date.parse(r.slot)));
    await owner.kill9();
    await waitUntil("three runs by another node", () => c.runs().filter((r) => Date.parse(r.slot) > last && r.node !== owner.name).length >= 3, 60_000);
    for (const n of c.nodes) await n.daemon?.stop();
    const runs = c.runs();
    assert.deepEqual(doubles(runs), []);
    const recorded = (await rows(history)).filter((r) => r.status !== "missed" && r.status !== "skipped");
    const key = (x: { node: string; slot: string }) => `${x.slot} ${x.node}`;
    assert.deepEqual(recorded.map(key).sort(), runs.map(key).sort(), "each run recorded once, by the node that ran it, and nothing else run");
    const shown = await c.nodes[0]!.root.run(["-s", "db", "print", "history"]);
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(shown.stdout, /NODE/);
    for (const node of new Set(runs.map((r) => r.node))) assert.match(shown.stdout, new RegExp(`\\b${node}\\b`));
  });
});
