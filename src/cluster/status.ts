/**
 * The cluster as etcd holds it, for `svcmgr cluster status` and the API: which nodes are alive
 * (have a presence key), who owns each failover service and with which fencing token; and the
 * takeover request (`svcmgr -s X takeover`), which the owner honours gracefully (member.ts).
 */
import type { EtcdClient } from "./etcd.js";
import { clusterKeys, nodeOfKey, serviceOfKey } from "./keys.js";
import { parseOwnerValue, type OwnerRecord } from "./ownership.js";

export interface ClusterStatus {
  readonly nodes: readonly { readonly name: string; readonly alive: boolean }[];
  readonly services: readonly { readonly path: string; readonly topology: "failover" | "flex"; readonly owner: string | null; readonly token: number | null }[];
}

/** A service as this node's configuration has it. */
export interface KnownService {
  readonly path: string;
  readonly topology: "failover" | "flex";
  /** Node names of its `nodes` (globs are not listed as nodes). */
  readonly nodes: readonly string[];
}

/**
 * Nodes: those alive in etcd and those named in `known` services' nodes (alive or not), by
 * name. Services: the `known` ones and any other with an owner key, by path; a flex service has
 * no owner.
 */
export async function readClusterStatus(etcd: EtcdClient, cluster: string, known: readonly KnownService[]): Promise<ClusterStatus> {
  const keys = clusterKeys(cluster);
  const r = await etcd.txn({
    compare: [],
    success: [{ range: { key: keys.nodesPrefix, prefix: true, keysOnly: true } }, { range: { key: keys.servicesPrefix, prefix: true } }],
  });
  const [nodeKvs, svcKvs] = r.responses.map((x) => (x.kind === "range" ? x.range.kvs : []));
  const alive = new Set((nodeKvs ?? []).map((kv) => nodeOfKey(keys, kv.key)).filter((n): n is string => n !== null));
  const owners = new Map<string, OwnerRecord>();
  for (const kv of svcKvs ?? []) {
    const s = serviceOfKey(keys, kv.key);
    if (s?.kind === "owner") owners.set(s.path, parseOwnerValue(kv.value, kv.lease, kv.createRevision));
  }
  const named = known.flatMap((s) => s.nodes.filter((n) => !/[*?[]/.test(n)));
  const nodes = [...new Set([...alive, ...named])].sort().map((name) => ({ name, alive: alive.has(name) }));
  const topology = new Map(known.map((s) => [s.path, s.topology]));
  const paths = [...new Set([...known.map((s) => s.path), ...owners.keys()])].sort();
  const services = paths.map((path) => {
    const o = owners.get(path);
    return { path, topology: topology.get(path) ?? "failover", owner: o?.node ?? null, token: o?.token ?? null };
  });
  return { nodes, services };
}

/**
 * Asks the owner of `path` to hand it over to `node`. The request is dropped by `node` once it
 * owns the service; `lease` ties it to a lease (it then disappears with it).
 */
export async function requestTakeover(etcd: EtcdClient, cluster: string, path: string, node: string, lease?: string): Promise<void> {
  await etcd.put(clusterKeys(cluster).takeover(path), node, lease === undefined ? {} : { lease });
}
