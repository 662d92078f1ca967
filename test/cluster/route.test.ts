/**
 * The pure decisions of a manual run in a cluster (cluster/manual-run.ts) and of where the API
 * answers a request about a service (cluster/route.ts).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { decideManualRun, forcedInitiator } from "../../src/cluster/manual-run.js";
import { routeRequest, type OwnerAddress } from "../../src/cluster/route.js";

const owned = (node: string, token = 7) => ({ kind: "found" as const, owner: { node, lease: "1", token } });

describe("manual runs in a cluster", () => {
  test("the owner runs, under its token; another node is refused naming the owner unless forced", () => {
    assert.deepEqual(decideManualRun("db", "n1", owned("n1", 42), false), { kind: "run", token: 42, forcedNote: null });
    const refused = decideManualRun("db", "n2", owned("n1", 42), false);
    assert.equal(refused.kind, "refuse");
    assert.equal(refused.kind === "refuse" && refused.owner, "n1");
    assert.match(refused.kind === "refuse" ? refused.message : "", /^db: not run on n2: it is owned by n1 \(fencing token 42\); run it on n1, or move it here with 'svcmgr -s db takeover'; --force runs it here anyway/);
    assert.deepEqual(decideManualRun("db", "n2", owned("n1"), true), { kind: "run", token: null, forcedNote: "forced on n2: owner n1" });
  });

  test("no owner, or etcd unreachable: refused (the owner cannot be confirmed), forced says why", () => {
    const none = decideManualRun("db", "n2", { kind: "found", owner: null }, false, '"force": true');
    assert.match(none.kind === "refuse" ? none.message : "", /no node owns it yet.*; "force": true runs it here anyway/);
    const down = decideManualRun("db", "n2", { kind: "unavailable", why: "etcd unavailable (x: ECONNREFUSED)" }, false);
    assert.match(down.kind === "refuse" ? down.message : "", /its owner cannot be confirmed: etcd cannot be reached \(etcd unavailable \(x: ECONNREFUSED\)\)/);
    const forced = decideManualRun("db", "n2", { kind: "unavailable", why: "x" }, true);
    assert.equal(forced.kind === "run" && forcedInitiator("alice", forced.forcedNote), "alice (forced on n2: owner unknown, etcd unreachable)");
    assert.equal(forcedInitiator("alice", null), "alice");
  });
});

describe("where the API answers", () => {
  const address = (node: string, api: string | null, alive = true): OwnerAddress => ({ kind: "found", owner: { node, lease: "1", token: 3 }, alive, api });
  const base = { me: "n2", svc: "db", proxiedBy: null, hasKey: true, forced: false };

  test("a keyed request about a service owned by another live node with an API is proxied there", () => {
    assert.deepEqual(routeRequest({ ...base, address: address("n1", "https://n1:7443") }), { kind: "proxy", owner: "n1", url: "https://n1:7443" });
  });

  test("answered here: already proxied, no key, forced, this node owns it, no owner, etcd unreachable", () => {
    const remote = address("n1", "https://n1:7443");
    assert.equal(routeRequest({ ...base, proxiedBy: "n3", address: remote }).kind, "local");
    assert.equal(routeRequest({ ...base, hasKey: false, address: remote }).kind, "local");
    assert.equal(routeRequest({ ...base, forced: true, address: remote }).kind, "local");
    assert.equal(routeRequest({ ...base, address: address("n2", "https://n2:7443") }).kind, "local");
    assert.equal(routeRequest({ ...base, address: { kind: "found", owner: null, alive: false, api: null } }).kind, "local");
    assert.equal(routeRequest({ ...base, address: { kind: "unavailable", why: "x" } }).kind, "local");
  });

  test("an owner not alive, or without an API address: 503 naming it", () => {
    const dead = routeRequest({ ...base, address: address("n1", null, false) });
    assert.deepEqual([dead.kind, dead.kind === "refuse" && dead.status, dead.kind === "refuse" && dead.owner], ["refuse", 503, "n1"]);
    const mute = routeRequest({ ...base, address: address("n1", null) });
    assert.match(mute.kind === "refuse" ? mute.detail : "", /db is owned by n1, whose daemon publishes no API address/);
  });
});

describe("the API URL a node publishes", () => {
  test("its TCP listener; a wildcard address becomes the node name; none without TCP", async () => {
    const { advertisedApi } = await import("../../src/daemon/api-cluster.js");
    assert.equal(advertisedApi(["unix:/v/daemon.sock", "https://10.0.0.5:7443"], "n1"), "https://10.0.0.5:7443");
    assert.equal(advertisedApi(["unix:/v/daemon.sock", "http://0.0.0.0:7443"], "n1"), "http://n1:7443");
    assert.equal(advertisedApi(["https://[::]:7443"], "n1.example.com"), "https://n1.example.com:7443");
    assert.equal(advertisedApi(["unix:/v/daemon.sock"], "n1"), null);
  });
});
