/**
 * The pure parts of cluster ownership: who tries to claim an ownerless service and when, who
 * keeps or hands over a service, and self-fencing on the monotonic clock.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { claimRank, decideOwnership, type OwnershipInput } from "../../src/cluster/ownership.js";
import { LeaseFence, defaultMargin } from "../../src/cluster/fence.js";
import { clusterKeys, nodeOfKey, serviceOfKey, slotText } from "../../src/cluster/keys.js";

const base: OwnershipInput = {
  me: "n2", nodes: ["n1", "n2", "n3"], alive: new Set(["n1", "n2", "n3"]), owner: null, myLease: "L2", fenced: false,
  takeover: null, ownerlessSince: 1_000, now: 1_000, rankDelayMs: 500,
};

test("rank: live candidates in the order of nodes, then by name for a glob; a takeover target first; dead nodes do not count", () => {
  const all = new Set(["n1", "n2", "n3"]);
  assert.equal(claimRank("n1", ["n1", "n2", "n3"], all, null), 0);
  assert.equal(claimRank("n3", ["n1", "n2", "n3"], all, null), 2);
  assert.equal(claimRank("n3", ["n1", "n2", "n3"], new Set(["n3"]), null), 0, "n1 and n2 are dead");
  assert.equal(claimRank("n3", ["n1", "n2", "n3"], all, "n3"), 0);
  assert.equal(claimRank("n1", ["n1", "n2", "n3"], all, "n3"), 1);
  assert.equal(claimRank("b", ["*"], new Set(["c", "a", "b"]), null), 1);
  assert.equal(claimRank("z", ["db*", "*"], new Set(["db2", "z", "a"]), null), 2);
});

test("an ownerless service: the node of rank r claims r × delay after it first saw it ownerless", () => {
  assert.deepEqual(decideOwnership(base), { kind: "wait", until: 1_500 });
  assert.deepEqual(decideOwnership({ ...base, now: 1_499 }), { kind: "wait", until: 1_500 });
  assert.deepEqual(decideOwnership({ ...base, now: 1_500 }), { kind: "claim" });
  assert.deepEqual(decideOwnership({ ...base, me: "n1", myLease: "L1" }), { kind: "claim" });
  assert.deepEqual(decideOwnership({ ...base, alive: new Set(["n2", "n3"]) }), { kind: "claim" }, "n1 is dead: n2 is first");
  assert.deepEqual(decideOwnership({ ...base, takeover: "n2" }), { kind: "claim" }, "a takeover's target goes first");
});

test("a fenced node, or one without a lease, never claims; a node outside nodes is no candidate", () => {
  assert.deepEqual(decideOwnership({ ...base, me: "n1", fenced: true }), { kind: "follow" });
  assert.deepEqual(decideOwnership({ ...base, me: "n1", myLease: null }), { kind: "follow" });
  assert.deepEqual(decideOwnership({ ...base, me: "n9" }), { kind: "not-candidate" });
});

test("a live owner is kept: the preferred node does not steal it; the owner hands over only to a live takeover target", () => {
  const owner = { node: "n2", lease: "L2", token: 7 };
  assert.deepEqual(decideOwnership({ ...base, me: "n1", myLease: "L1", owner }), { kind: "follow" });
  assert.deepEqual(decideOwnership({ ...base, owner }), { kind: "hold" });
  assert.deepEqual(decideOwnership({ ...base, owner, takeover: "n3" }), { kind: "release", to: "n3" });
  assert.deepEqual(decideOwnership({ ...base, owner, takeover: "n3", alive: new Set(["n1", "n2"]) }), { kind: "hold" }, "a dead target gets nothing");
  assert.deepEqual(decideOwnership({ ...base, owner, takeover: "n2" }), { kind: "hold" });
  assert.deepEqual(decideOwnership({ ...base, owner: { ...owner, lease: "OLD" } }), { kind: "follow" }, "an owner key on another lease of this node's name is not ours");
});

test("fence: a renewal sent at s vouches until s + TTL − margin; never after a loss; a late answer never shortens it", () => {
  const f = new LeaseFence(3_000, 750);
  assert.equal(f.valid(0), false);
  f.renewed(1_000);
  assert.equal(f.valid(3_249), true);
  assert.equal(f.valid(3_250), false);
  f.renewed(500);
  assert.equal(f.until, 3_250);
  f.lost();
  assert.equal(f.valid(1_001), false);
  assert.equal(defaultMargin(10_000), 2_500);
  assert.equal(defaultMargin(1_000), 500);
});

test("keys: layout under /svcmgr/<cluster>/, slots sort as their instants", () => {
  const k = clusterKeys("prod");
  assert.equal(k.node("n1"), "/svcmgr/prod/nodes/n1");
  assert.equal(k.owner("ns/svc/db"), "/svcmgr/prod/svc/ns/svc/db/owner");
  assert.equal(k.slot("db", "task#0", new Date("2026-01-02T03:04:05Z")), "/svcmgr/prod/slots/db/task#0/2026-01-02T03:04:05Z");
  assert.equal(nodeOfKey(k, "/svcmgr/prod/nodes/n1"), "n1");
  assert.deepEqual(serviceOfKey(k, "/svcmgr/prod/svc/ns/svc/db/owner"), { path: "ns/svc/db", kind: "owner" });
  assert.deepEqual(serviceOfKey(k, "/svcmgr/prod/svc/db/takeover"), { path: "db", kind: "takeover" });
  assert.equal(serviceOfKey(k, "/svcmgr/prod/svc/db/other"), null);
  const slots = ["2026-01-02T10:00:00Z", "2025-12-31T23:59:58Z", "2026-01-02T09:59:59Z"].map((s) => slotText(new Date(s)));
  assert.deepEqual([...slots].sort(), ["2025-12-31T23:59:58Z", "2026-01-02T09:59:59Z", "2026-01-02T10:00:00Z"]);
});
