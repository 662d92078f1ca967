/** Which tasks the cluster decides for, who records a skipped slot, and node.conf's [cluster]. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { clusterMode, recordsSkip } from "../../src/cluster/slot-policy.js";
import { parseNodeConfig } from "../../src/config/node-config.js";

const base = { clustered: true, topology: "failover", nodes: ["n1", "n2"], me: "n1", runOnce: "node" } as const;

test("modes: failover → owner; flex → local unless run_once = cluster; no [cluster] or a service for this node alone → local", () => {
  assert.equal(clusterMode(base), "owner");
  assert.equal(clusterMode({ ...base, nodes: ["*"] }), "owner");
  assert.equal(clusterMode({ ...base, nodes: ["n1"] }), "local", "no other node could take it over");
  assert.equal(clusterMode({ ...base, nodes: ["n*"] }), "owner", "a glob may match other nodes");
  assert.equal(clusterMode({ ...base, topology: "flex" }), "local");
  assert.equal(clusterMode({ ...base, topology: "flex", runOnce: "cluster" }), "once");
  assert.equal(clusterMode({ ...base, clustered: false }), "local");
  assert.equal(clusterMode({ ...base, clustered: false, topology: "flex", runOnce: "cluster" }), "local");
});

test("a slot not run while etcd is away is recorded by one node: the last seen owner, else the first candidate; run_once by each node", () => {
  assert.equal(recordsSkip("owner", true, "n1", false), true);
  assert.equal(recordsSkip("owner", false, "n2", true), false, "another node owned it");
  assert.equal(recordsSkip("owner", false, null, true), true);
  assert.equal(recordsSkip("owner", false, null, false), false);
  assert.equal(recordsSkip("once", false, null, false), true);
});

test("node.conf [cluster]: endpoints, name, lease TTL in whole seconds (at least 2); none without etcd", () => {
  const c = parseNodeConfig("node.conf", "[cluster]\nname = prod\netcd = http://10.0.0.1:2379, http://10.0.0.2:2379\nlease_ttl = 5s\n");
  assert.deepEqual(c.alerts, []);
  assert.deepEqual(c.config.cluster, { name: "prod", etcd: ["http://10.0.0.1:2379", "http://10.0.0.2:2379"], leaseTtlS: 5 });
  assert.deepEqual(parseNodeConfig("node.conf", "[cluster]\netcd = http://e:2379\n").config.cluster, { name: "default", etcd: ["http://e:2379"], leaseTtlS: 10 });
  assert.equal(parseNodeConfig("node.conf", "[cluster]\netcd = http://e:2379\nlease_ttl = 1\n").config.cluster?.leaseTtlS, 2);
  assert.equal(parseNodeConfig("node.conf", "[cluster]\nname = prod\n").config.cluster, null);
  assert.equal(parseNodeConfig("node.conf", null).config.cluster, null);
  const bad = parseNodeConfig("node.conf", "[cluster]\netcd = 10.0.0.1:2379\n");
  assert.match(bad.alerts.map((a) => a.message).join("\n"), /http:\/\/HOST:PORT/);
});
