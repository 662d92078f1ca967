/**
 * Issue 18, the API in a cluster, with real daemons on one etcd: a request about a failover
 * service sent to a node that does not own it is proxied to the owner (the caller's key, the
 * same keys file on both nodes), never twice; forced runs stay here; root on the socket is
 * refused naming the owner; an owner that cannot be reached is 502, one that publishes no API
 * 503. The health endpoint's `cluster` field and the cluster metrics (promtool-checked).
 */
import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { call, OpenApiChecker, type Answer, type Target } from "./api-client.js";
import { Daemon, killAllDaemons } from "./daemon-harness.js";
import { makeCluster, type ClusterNode } from "./cluster-harness.js";
import { etcdUrlFor, skipUnlessEtcd } from "../helpers/etcd.js";
import { skipUnlessRoot } from "../helpers/require-all.js";
import { checkMetrics, samples, promtool } from "../helpers/prometheus.js";
import { createEtcdClient } from "../../src/platform/etcd-client.js";
import { clusterKeys } from "../../src/cluster/keys.js";
import { ownerValue } from "../../src/cluster/ownership.js";

after(() => killAllDaemons());

const DB = `[DEFAULT]\nnodes = n1 n2\n\n[task#0]\ncommand = {record}\n`;

/** Gives every node a TCP listener on a free loopback port. */
function listen(nodes: readonly ClusterNode[]): void {
  for (const n of nodes) n.root.writeConf("node", `${readFileSync(n.root.path("etc", "node.conf"), "utf8")}\n[listener]\naddr = 127.0.0.1\nport = 0\n`);
}

async function tcpOf(d: Daemon): Promise<Target> {
  const e = await d.waitEvent("api listening", (x) => x.event === "api-listening", 20_000);
  const url = (e.addresses as string[]).find((a) => a.startsWith("http://"))!;
  return { url };
}

/** An API key made on the first node, its keys file copied to the others (the rule for proxied requests). */
async function sharedKey(nodes: readonly ClusterNode[]): Promise<string> {
  const r = await nodes[0]!.root.run(["apikey", "create", "ops", "--scope", "run"]);
  assert.equal(r.status, 0, r.stderr);
  for (const n of nodes.slice(1)) mkdirSync(n.root.path("var"), { recursive: true, mode: 0o755 });
  for (const n of nodes.slice(1)) copyFileSync(nodes[0]!.root.path("var", "apikeys.json"), n.root.path("var", "apikeys.json"));
  return r.stdout.trim().split("\n").at(-1)!;
}

async function owner(etcdUrl: string, cluster: string, svc: string): Promise<string | null> {
  return (await ownerToken(etcdUrl, cluster, svc))?.node ?? null;
}

async function ownerToken(etcdUrl: string, cluster: string, svc: string): Promise<{ node: string; token: number } | null> {
  const etcd = createEtcdClient({ endpoints: [etcdUrl] });
  const kv = (await etcd.range(clusterKeys(cluster).owner(svc))).kvs[0];
  return kv === undefined ? null : { node: (JSON.parse(kv.value) as { node: string }).node, token: kv.createRevision };
}

describe("the API in a cluster", { skip: skipUnlessEtcd() || skipUnlessRoot("API keys are made by root"), concurrency: 1 }, () => {
  test("proxied to the owner with the caller's key, never twice; forced runs stay; health and metrics say who owns what", async (t) => {
    const url = await etcdUrlFor(t);
    const c = makeCluster(t, url, ["n1", "n2"], { db: DB }, "4s");
    const [n1, n2] = c.nodes as [ClusterNode, ClusterNode];
    listen(c.nodes);
    const key = await sharedKey(c.nodes);
    const api1 = await tcpOf(n1.start());
    const cluster = /name = (\S+)/.exec(readFileSync(n1.root.path("etc", "node.conf"), "utf8").split("[cluster]")[1]!)![1]!;
    await waitFor("n1 owns db", async () => (await owner(url, cluster, "db")) === "n1");
    const api2 = await tcpOf(n2.start());
    const checker = new OpenApiChecker((await call(api1, { path: "/api/openapi.json" })).json as ConstructorParameters<typeof OpenApiChecker>[0]);
    await waitFor("n2 joined", async () => ((await call(api2, { path: "/api/v1/health" })).json as { cluster: { etcdReachable: boolean } }).cluster.etcdReachable);

    // Health: the cluster field on each node.
    const h1 = await call(api1, { path: "/api/v1/health" });
    checker.check("GET", "/api/v1/health", h1);
    assert.deepEqual((h1.json as { cluster: unknown }).cluster, { name: cluster, node: "n1", etcdReachable: true, etcdError: null, owned: ["db"] });
    assert.deepEqual((await call(api2, { path: "/api/v1/health" })).json, { ...(await call(api2, { path: "/api/v1/health" })).json as object, cluster: { name: cluster, node: "n2", etcdReachable: true, etcdError: null, owned: [] } });

    // Metrics: 1 on the owner, 0 on the other node; promtool accepts the exposition.
    const m1 = (await call(api1, { path: "/metrics", key })).text;
    const m2 = (await call(api2, { path: "/metrics", key })).text;
    assert.equal(samples(m1).get('svcmgr_cluster_service_owned{svc="db"}'), 1);
    assert.equal(samples(m2).get('svcmgr_cluster_service_owned{svc="db"}'), 0);
    assert.equal(samples(m1).get("svcmgr_cluster_keepalive_failures_total"), 0);
    if (promtool !== null) for (const text of [m1, m2]) assert.equal(checkMetrics(text).status, 0, checkMetrics(text).output);

    // A run asked of n2 runs on n1, the owner: the answer says who answered.
    const run = await call(api2, { method: "POST", path: "/api/v1/services/db/runs", key, body: { rid: "task#0", wait: "30s" } });
    assert.equal(run.status, 200, run.text);
    assert.equal(run.headers["svcmgr-answered-by"], "n1");
    checker.check("POST", "/api/v1/services/{svc}/runs", run);
    const [rec] = (run.json as { runs: { node: string; initiatedBy: string; status: string }[] }).runs;
    assert.deepEqual([rec?.node, rec?.initiatedBy, rec?.status], ["n1", "ops", "succeeded"]);
    assert.deepEqual(c.runs().map((r) => r.node), ["n1"]);
    const tasks = await call(api2, { path: "/api/v1/services/db/tasks", key });
    assert.equal(tasks.status, 200, tasks.text);
    assert.equal(tasks.headers["svcmgr-answered-by"], "n1");

    // Forced: runs on n2, recorded so.
    const forced = await call(api2, { method: "POST", path: "/api/v1/services/db/runs", key, body: { rid: "task#0", wait: "30s", force: true } });
    assert.equal(forced.status, 200, forced.text);
    assert.equal(forced.headers["svcmgr-answered-by"], undefined);
    assert.deepEqual((forced.json as { runs: { node: string; initiatedBy: string }[] }).runs.map((r) => [r.node, r.initiatedBy]), [["n2", "ops (forced on n2: owner n1)"]]);

    // Already proxied once: answered where it arrives (a run is then refused naming the owner), never sent on.
    const looped = await call(api2, { method: "POST", path: "/api/v1/services/db/runs", key, headers: { "svcmgr-proxied-by": "n1" }, body: { rid: "task#0" } });
    assert.equal(looped.status, 409, looped.text);
    assert.equal(looped.headers["svcmgr-answered-by"], undefined);
    assert.equal((looped.json as { owner: string }).owner, "n1");
    checker.check("POST", "/api/v1/services/{svc}/runs", looped);

    // Root on n2's socket, without a key: not proxied, refused naming the owner.
    const socket = await n2.root.run(["-s", "db", "run", "--detach"]);
    assert.equal(socket.status, 1);
    assert.match(socket.stderr, /not run on n2: it is owned by n1/);
    // The run on the owner sees its fencing token; the forced one has none.
    const token = (await ownerToken(url, cluster, "db"))!.token;
    assert.deepEqual(c.runs().map((r) => [r.node, r.token]), [["n1", String(token)], ["n2", "-"]], "one proxied run on n1, one forced on n2");

    // The owner dies (kill -9): until its lease expires, n2 cannot reach it: 502 naming it, nothing ran.
    await n1.kill9();
    const dead = await call(api2, { method: "POST", path: "/api/v1/services/db/runs", key, body: { rid: "task#0" } });
    assert.equal(dead.status, 502, dead.text);
    assert.match((dead.json as { detail: string }).detail, /^db is owned by n1, whose API \(http:\/\/127\.0\.0\.1:\d+\) cannot be reached: connect ECONNREFUSED .*; nothing was done$/);
    checker.check("POST", "/api/v1/services/{svc}/runs", dead);
    // Then n2 takes db over and answers itself.
    await waitFor("n2 owns db", async () => (await owner(url, cluster, "db")) === "n2", 20_000);
    const mine = await call(api2, { method: "POST", path: "/api/v1/services/db/runs", key, body: { rid: "task#0", wait: "30s" } });
    assert.equal(mine.status, 200, mine.text);
    assert.equal(mine.headers["svcmgr-answered-by"], undefined);
    assert.equal(samples((await call(api2, { path: "/metrics", key })).text).get('svcmgr_cluster_service_owned{svc="db"}'), 1);
  });

  test("an owner that publishes no API address: 503 naming it", async (t) => {
    const url = await etcdUrlFor(t);
    const c = makeCluster(t, url, ["n2"], { db: DB.replace("n1 n2", "n9 n2") }, "4s");
    const [n2] = c.nodes as [ClusterNode];
    listen(c.nodes);
    const key = await sharedKey(c.nodes);
    const cluster = /name = (\S+)/.exec(readFileSync(n2.root.path("etc", "node.conf"), "utf8").split("[cluster]")[1]!)![1]!;
    // n9 owns db, alive, without an API address (no [listener] on it), as its daemon would register.
    const etcd = createEtcdClient({ endpoints: [url] });
    const keys = clusterKeys(cluster);
    const lease = (await etcd.leaseGrant(60)).id;
    await etcd.put(keys.node("n9"), JSON.stringify({ node: "n9" }), { lease });
    await etcd.put(keys.owner("db"), ownerValue("n9", lease), { lease });
    t.after(() => etcd.leaseRevoke(lease).catch(() => undefined));
    const api2 = await tcpOf(n2.start());
    let a: Answer;
    do a = await call(api2, { path: "/api/v1/services/db/tasks", key });
    while (a.status === 404);
    assert.equal(a.status, 503, a.text);
    assert.equal((a.json as { owner: string }).owner, "n9");
    assert.match((a.json as { detail: string }).detail, /db is owned by n9, whose daemon publishes no API address \(set \[listener\] addr on n9\)/);
  });
});

async function waitFor(what: string, cond: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
