/**
 * Cluster members against a real etcd: presence, one owner per failover service preferring the
 * order of `nodes`, hand-over when the owner is cut off (self-fenced before its lease expires),
 * no stealing by a preferred node that comes back, graceful takeover, slot claims fenced by the
 * owner's token. Each test uses its own cluster name; TTLs are 2 s.
 */
import { describe, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { createEtcdClient } from "../../src/platform/etcd-client.js";
import { EtcdUnavailableError, type EtcdClient } from "../../src/cluster/etcd.js";
import { ClusterMember, type MemberEvent } from "../../src/cluster/member.js";
import { claimSlot, lastClaimedSlot } from "../../src/cluster/claims.js";
import { readClusterStatus } from "../../src/cluster/status.js";
import { etcdUrlFor, skipUnlessEtcd } from "../helpers/etcd.js";

const TTL_S = 2;

/** An etcd client that can be cut off (a partition of this node alone). */
function cuttable(inner: EtcdClient): EtcdClient & { cut: boolean } {
  const c = { cut: false } as EtcdClient & { cut: boolean };
  for (const name of ["range", "put", "deleteRange", "txn", "leaseGrant", "leaseKeepAlive", "leaseRevoke", "leaseTimeToLive"] as const) {
    (c as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
      if (c.cut) return Promise.reject(new EtcdUnavailableError("etcd unavailable (cut off by the test)"));
      return (inner[name] as (...a: unknown[]) => Promise<unknown>)(...args);
    };
  }
  Object.defineProperty(c, "endpoints", { value: inner.endpoints });
  return c;
}

interface Node {
  readonly m: ClusterMember;
  readonly etcd: EtcdClient & { cut: boolean };
  readonly events: (MemberEvent & { at: number })[];
  idleCalls: string[];
}

function node(t: TestContext, url: string, cluster: string, name: string, nodes: string[]): Node {
  const etcd = cuttable(createEtcdClient({ endpoints: [url], timeoutMs: 500 }));
  const events: (MemberEvent & { at: number })[] = [];
  const n: Node = { etcd, events, idleCalls: [], m: null as unknown as ClusterMember };
  const m = new ClusterMember({
    etcd, monotonic: () => performance.now(), log: () => {},
    setTimer: (ms, fire) => {
      const h = setTimeout(fire, ms);
      return { cancel: () => clearTimeout(h) };
    },
    idle: async (path) => void n.idleCalls.push(path),
  }, { cluster, node: name, ttlS: TTL_S });
  m.onEvent((e) => events.push({ ...e, at: performance.now() }));
  m.setServices([{ path: "db", nodes }]);
  (n as { m: ClusterMember }).m = m;
  t.after(async () => {
    etcd.cut = false;
    await m.stop();
  });
  return n;
}

/** Nodes n1 and n2 (nodes = n1 n2) of a fresh cluster: n1 owns db, then n2 is alive and seen by n1. */
async function n1OwnsDbThenN2Joins(t: TestContext, label: string): Promise<[Node, Node]> {
  const url = await etcdUrlFor(t);
  const cluster = clusterName(label);
  const [n1, n2] = ["n1", "n2"].map((name) => node(t, url, cluster, name, ["n1", "n2"])) as [Node, Node];
  n1.m.start();
  await until("n1 owns db", () => n1.m.token("db") !== null);
  n2.m.start();
  await until("n1 sees n2", () => n1.m.aliveNodes().has("n2"));
  return [n1, n2];
}

async function until(what: string, cond: () => boolean | Promise<boolean>, ms = 15_000): Promise<number> {
  const deadline = performance.now() + ms;
  while (!(await cond())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return performance.now();
}

const clusterName = (what: string) => `t-${what}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

describe("cluster members on a real etcd", { skip: skipUnlessEtcd() }, () => {
  test("the first live node of `nodes` owns the service; the token is the owner key's create_revision; status shows it", async (t) => {
    const url = await etcdUrlFor(t);
    const cluster = clusterName("own");
    const order = ["n1", "n2", "n3"];
    const nodes = ["n3", "n2", "n1"].map((name) => node(t, url, cluster, name, order));
    for (const n of nodes) n.m.start();
    const [n3, n2, n1] = nodes as [Node, Node, Node];
    await until("n1 owns db", () => n1.m.token("db") !== null);
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal(n2.m.token("db"), null);
    assert.equal(n3.m.token("db"), null);
    const kv = (await n1.etcd.range(n1.m.keys.owner("db"))).kvs[0]!;
    assert.equal(n1.m.token("db"), kv.createRevision);
    assert.deepEqual(n1.events.map((e) => e.kind), ["acquired"]);
    assert.deepEqual(n1.m.candidates(), ["db"]);
    const status = await readClusterStatus(n1.etcd, cluster, [{ path: "db", topology: "failover", nodes: order }, { path: "web", topology: "flex", nodes: ["n1", "n4"] }]);
    assert.deepEqual(status, {
      nodes: [{ name: "n1", alive: true }, { name: "n2", alive: true }, { name: "n3", alive: true }, { name: "n4", alive: false }],
      services: [{ path: "db", topology: "failover", owner: "n1", token: kv.createRevision }, { path: "web", topology: "flex", owner: null, token: null }],
    });
  });

  test("an owner cut off from etcd fences itself before its lease expires; the next node takes over after; the deposed token claims nothing", async (t) => {
    const url = await etcdUrlFor(t);
    const cluster = clusterName("cut");
    const [n1, n2] = ["n1", "n2"].map((name) => node(t, url, cluster, name, ["n1", "n2"])) as [Node, Node];
    n1.m.start();
    await until("n1 owns db", () => n1.m.token("db") !== null);
    n2.m.start();
    const oldToken = n1.m.token("db")!;
    const slot = new Date("2026-03-01T10:00:00Z");
    assert.deepEqual(await claimSlot(n1.etcd, n1.m.keys, { path: "db", rid: "task#0", scheduledFor: slot, node: "n1", token: oldToken }), { kind: "claimed" });
    assert.equal(n1.m.keepaliveFailures, 0);
    const cutAt = performance.now();
    n1.etcd.cut = true;
    const lostAt = await until("n1 says it lost db", () => n1.events.some((e) => e.kind === "lost"));
    assert.ok(n1.m.keepaliveFailures >= 1, "the failed renewals are counted (svcmgr_cluster_keepalive_failures_total)");
    assert.equal(n1.m.token("db"), null);
    assert.ok(lostAt - cutAt < TTL_S * 1000, `fenced ${Math.round(lostAt - cutAt)} ms after the cut, before the ${TTL_S} s TTL`);
    assert.match((n1.events.find((e) => e.kind === "lost") as { reason: string }).reason, /could not renew its etcd lease/);
    const acquiredAt = await until("n2 owns db", () => n2.m.token("db") !== null);
    assert.ok(acquiredAt > lostAt, "the new owner comes after the old one fenced itself");
    assert.ok(acquiredAt - cutAt < TTL_S * 1000 + 2_000, `hand-over took ${Math.round(acquiredAt - cutAt)} ms (TTL ${TTL_S} s)`);
    const newToken = n2.m.token("db")!;
    assert.ok(newToken > oldToken);
    // n1 comes back: its old token claims nothing, a claimed slot is never claimed again.
    n1.etcd.cut = false;
    const next = new Date(slot.getTime() + 60_000);
    assert.deepEqual(await claimSlot(n1.etcd, n1.m.keys, { path: "db", rid: "task#0", scheduledFor: next, node: "n1", token: oldToken }), { kind: "deposed", owner: "n2" });
    assert.deepEqual(await claimSlot(n2.etcd, n2.m.keys, { path: "db", rid: "task#0", scheduledFor: slot, node: "n2", token: newToken }), { kind: "taken", by: "n1", token: oldToken });
    assert.deepEqual(await claimSlot(n2.etcd, n2.m.keys, { path: "db", rid: "task#0", scheduledFor: next, node: "n2", token: newToken }), { kind: "claimed" });
    assert.deepEqual(await claimSlot(n2.etcd, n2.m.keys, { path: "db", rid: "task#0", scheduledFor: next, node: "n2", token: newToken }), { kind: "taken", by: "n2", token: newToken }, "a replayed instant is refused, even to its claimer");
    assert.deepEqual(await claimSlot(n2.etcd, n2.m.keys, { path: "db", rid: "task#0", scheduledFor: next, node: "n2", token: newToken, retry: true }), { kind: "claimed" }, "a retry attempt of our own slot may run");
    assert.deepEqual(await claimSlot(n1.etcd, n1.m.keys, { path: "db", rid: "task#0", scheduledFor: slot, node: "n1", token: oldToken, retry: true }), { kind: "taken", by: "n1", token: oldToken }, "a deposed owner cannot retry its old slot");
    assert.equal((await lastClaimedSlot(n2.etcd, n2.m.keys, "db", "task#0"))?.toISOString(), next.toISOString());
    // The preferred node is back and alive: it does not steal the service.
    await until("n1 registered again", () => n2.m.aliveNodes().has("n1"));
    await new Promise((r) => setTimeout(r, 2 * TTL_S * 1000));
    assert.equal(n2.m.token("db"), newToken);
    assert.equal(n1.m.token("db"), null);
  });

  test("takeover: the owner stops claiming, waits for its runs, hands over; the target owns it with a new token", async (t) => {
    const [n1, n2] = await n1OwnsDbThenN2Joins(t, "takeover");
    const before = n1.m.token("db")!;
    await n2.m.requestTakeover("db");
    await until("n2 owns db", () => n2.m.token("db") !== null);
    assert.equal(n1.m.token("db"), null);
    assert.deepEqual(n1.idleCalls, ["db"]);
    const lost = n1.events.find((e) => e.kind === "lost") as { reason: string } | undefined;
    assert.match(lost?.reason ?? "", /handed over to n2/);
    assert.ok(n2.m.token("db")! > before);
    assert.deepEqual((await n2.etcd.range(n2.m.keys.takeover("db"))).kvs, [], "the request is dropped once served");
  });

  test("an owner that stops gives the service up at once (its lease revoked)", async (t) => {
    const [n1, n2] = await n1OwnsDbThenN2Joins(t, "stop");
    const t0 = performance.now();
    await n1.m.stop();
    await until("n2 owns db", () => n2.m.token("db") !== null);
    assert.ok(performance.now() - t0 < TTL_S * 1000, "well before the TTL");
    assert.equal(n1.events.at(-1)?.kind, "lost");
  });

  test("a service no longer configured on its owner is given up, and another node takes it", async (t) => {
    const [n1, n2] = await n1OwnsDbThenN2Joins(t, "unconf");
    const t0 = performance.now();
    n1.m.setServices([]);
    await until("n2 owns db", () => n2.m.token("db") !== null);
    assert.ok(performance.now() - t0 < TTL_S * 1000, "given up, not left to expire");
  });
});
