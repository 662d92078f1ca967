/**
 * svcmgr's etcd client against a real etcd (JSON gateway): key-value calls, transactions,
 * leases, endpoint failover, deadlines and typed errors. Each test works under its own prefix.
 */
import { describe, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server, type Socket } from "node:net";
import { createEtcdClient } from "../../src/platform/etcd-client.js";
import { EtcdRejectedError, EtcdUnavailableError, prefixEnd } from "../../src/cluster/etcd.js";
import { etcdUrlFor, skipUnlessEtcd, uniquePrefix } from "../helpers/etcd.js";

const skip = skipUnlessEtcd();

/** A TCP port that accepts connections and never answers (a hung endpoint). */
async function silentServer(t: TestContext): Promise<string> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => void sockets.add(s));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

/** A loopback port with nothing listening (connection refused). */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return `http://127.0.0.1:${port}`;
}

describe("etcd client", { skip }, () => {
  test("put, range by key and by prefix (sorted, limited), delete a prefix; UTF-8 survives the base64", async (t) => {
    const etcd = createEtcdClient({ endpoints: [await etcdUrlFor(t)] });
    const p = uniquePrefix("kv");
    await etcd.put(`${p}b`, "deux");
    const first = await etcd.put(`${p}a`, "un é ✓");
    await etcd.put(`${p}c/x`, "trois");
    await etcd.put(`${p.slice(0, -1)}~`, "outside the prefix");
    const one = await etcd.range(`${p}a`);
    assert.equal(one.kvs.length, 1);
    assert.equal(one.kvs[0]!.value, "un é ✓");
    assert.equal(one.kvs[0]!.createRevision, first.revision);
    assert.equal(one.kvs[0]!.lease, null);
    const all = await etcd.range(p, { prefix: true });
    assert.deepEqual(all.kvs.map((k) => k.key), [`${p}a`, `${p}b`, `${p}c/x`]);
    const last = await etcd.range(p, { prefix: true, sort: { target: "key", order: "descend" }, limit: 1 });
    assert.deepEqual(last.kvs.map((k) => k.key), [`${p}c/x`]);
    assert.equal(last.count, 3);
    assert.equal(last.more, true);
    assert.deepEqual((await etcd.range(`${p}missing`)).kvs, []);
    assert.equal((await etcd.deleteRange(p, { prefix: true })).deleted, 3);
    assert.equal((await etcd.range(p, { prefix: true })).count, 0);
    assert.equal((await etcd.range(`${p.slice(0, -1)}~`)).kvs[0]!.value, "outside the prefix");
    await etcd.deleteRange(`${p.slice(0, -1)}~`);
  });

  test("txn: create only if absent (create_revision = 0), the failure branch reads the winner; mod_revision and value compares", async (t) => {
    const etcd = createEtcdClient({ endpoints: [await etcdUrlFor(t)] });
    const key = `${uniquePrefix("txn")}owner`;
    const claim = (value: string) => etcd.txn({
      compare: [{ key, target: "create", result: "=", value: 0 }],
      success: [{ put: { key, value } }],
      failure: [{ range: { key } }],
    });
    const won = await claim("n1");
    assert.equal(won.succeeded, true);
    assert.equal(won.responses[0]!.kind, "put");
    const lost = await claim("n2");
    assert.equal(lost.succeeded, false);
    const seen = lost.responses[0]!;
    assert.ok(seen.kind === "range");
    assert.equal(seen.range.kvs[0]!.value, "n1");
    assert.equal(seen.range.kvs[0]!.createRevision, won.revision);
    const mod = seen.range.kvs[0]!.modRevision;
    const stale = await etcd.txn({ compare: [{ key, target: "mod", result: "=", value: mod - 1 }], success: [{ put: { key, value: "x" } }] });
    assert.equal(stale.succeeded, false);
    const fresh = await etcd.txn({ compare: [{ key, target: "mod", result: "=", value: mod }, { key, target: "value", result: "=", value: "n1" }], success: [{ deleteRange: { key } }] });
    assert.equal(fresh.succeeded, true);
    assert.deepEqual(fresh.responses, [{ kind: "delete", deleted: 1 }]);
  });

  test("leases: grant, keys on the lease, keepalive, time to live, revoke deletes the keys; a gone lease renews to 0", async (t) => {
    const etcd = createEtcdClient({ endpoints: [await etcdUrlFor(t)] });
    const key = `${uniquePrefix("lease")}node`;
    const lease = await etcd.leaseGrant(5);
    assert.match(lease.id, /^\d+$/);
    assert.equal(lease.ttlS, 5);
    await etcd.put(key, "alive", { lease: lease.id });
    assert.equal((await etcd.range(key)).kvs[0]!.lease, lease.id);
    assert.equal(await etcd.leaseKeepAlive(lease.id), 5);
    const ttl = await etcd.leaseTimeToLive(lease.id, { keys: true });
    assert.ok(ttl.ttlS > 0 && ttl.ttlS <= 5, `ttl ${ttl.ttlS}`);
    assert.equal(ttl.grantedTtlS, 5);
    assert.deepEqual(ttl.keys, [key]);
    await etcd.leaseRevoke(lease.id);
    assert.deepEqual((await etcd.range(key)).kvs, []);
    assert.equal(await etcd.leaseKeepAlive(lease.id), 0);
    assert.equal((await etcd.leaseTimeToLive(lease.id)).ttlS, -1);
    await etcd.leaseRevoke(lease.id); // already gone: no error
  });

  test("a lease that expires takes its keys with it", async (t) => {
    const etcd = createEtcdClient({ endpoints: [await etcdUrlFor(t)] });
    const key = `${uniquePrefix("expire")}k`;
    const lease = await etcd.leaseGrant(1);
    await etcd.put(key, "v", { lease: lease.id });
    const deadline = Date.now() + 10_000;
    while ((await etcd.range(key)).kvs.length > 0) {
      assert.ok(Date.now() < deadline, "the key outlived its 1 s lease by 10 s");
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(await etcd.leaseKeepAlive(lease.id), 0);
  });

  test("a refused request is EtcdRejectedError with etcd's code and message (a put on a lease that does not exist)", async (t) => {
    const etcd = createEtcdClient({ endpoints: [await etcdUrlFor(t)] });
    await assert.rejects(etcd.put(`${uniquePrefix("rej")}k`, "v", { lease: "12345" }), (e: unknown) => {
      assert.ok(e instanceof EtcdRejectedError);
      assert.equal(e.code, 5);
      assert.match(e.message, /lease not found/);
      return true;
    });
  });

  test("failover: an endpoint refusing connections and one that never answers are passed over; the one that answered stays preferred", async (t) => {
    const url = await etcdUrlFor(t);
    const hung = await silentServer(t);
    const etcd = createEtcdClient({ endpoints: [await closedPort(), hung, url], timeoutMs: 300 });
    const key = `${uniquePrefix("failover")}k`;
    const t0 = performance.now();
    await etcd.put(key, "v");
    assert.ok(performance.now() - t0 < 2_000, "the dead endpoints cost at most their deadlines");
    const t1 = performance.now();
    assert.equal((await etcd.range(key)).kvs[0]!.value, "v");
    assert.ok(performance.now() - t1 < 250, "the next call goes straight to the endpoint that answered");
  });

  test("no endpoint answers: EtcdUnavailableError naming each endpoint and why, within the deadlines", async (t) => {
    const refused = await closedPort();
    const hung = await silentServer(t);
    const etcd = createEtcdClient({ endpoints: [refused, hung], timeoutMs: 300 });
    const t0 = performance.now();
    await assert.rejects(etcd.range("/x"), (e: unknown) => {
      assert.ok(e instanceof EtcdUnavailableError);
      assert.equal(e.causes.length, 2);
      assert.match(e.causes[0]!, /ECONNREFUSED/);
      assert.match(e.causes[1]!, /no answer within 300 ms/);
      return true;
    });
    assert.ok(performance.now() - t0 < 1_500);
  });

  test("the caller's signal aborts a call", async (t) => {
    const etcd = createEtcdClient({ endpoints: [await silentServer(t)], timeoutMs: 5_000 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error("stop asked")), 100);
    await assert.rejects(etcd.range("/x", { signal: ac.signal }), /stop asked/);
  });
});

test("prefixEnd: the first key after every key with the prefix", () => {
  const hex = (s: string | number[]) => Buffer.from(prefixEnd(typeof s === "string" ? Buffer.from(s) : Uint8Array.from(s))).toString("hex");
  assert.equal(hex("/a/"), Buffer.from("/a0").toString("hex"));
  assert.equal(hex([0x61, 0xff]), "62");
  assert.equal(hex([0xff, 0xff]), "00");
});
