/**
 * The cluster's word on a manual run of a service (design §14): `svcmgr run`, `run --detach`
 * and the API's run-now ask it before any task starts. A service outside any cluster, a flex
 * service, or a failover service only this node may run is local: it runs as on a single node.
 * For the others the owner key is read from etcd, fresh, and decideManualRun decides.
 */
import type { App } from "./app.js";
import type { ServiceConfig } from "../config/service.js";
import { clusterMode } from "../cluster/slot-policy.js";
import { clusterKeys } from "../cluster/keys.js";
import { parseOwnerValue } from "../cluster/ownership.js";
import { decideManualRun, type ManualRunDecision, type OwnerLookup } from "../cluster/manual-run.js";

export async function manualRunVerdict(app: App, config: ServiceConfig, force: boolean, forceHint?: string): Promise<ManualRunDecision> {
  const cluster = isFailoverManaged(config, app.nodename) ? app.cluster.open() : null;
  if (cluster === null) return { kind: "run", token: null, forcedNote: null };
  return decideManualRun(config.name, app.nodename, await lookupOwner(cluster.etcd, cluster.name, config.name), force, forceHint);
}

/** A failover service whose `nodes` may name another node than this one (slot-policy's `owner` mode). */
export function isFailoverManaged(config: ServiceConfig, me: string): boolean {
  const topology = config.value<string>("DEFAULT", "topology") === "flex" ? "flex" : "failover";
  return clusterMode({ clustered: true, topology, nodes: config.value<string[]>("DEFAULT", "nodes") ?? ["*"], me, runOnce: "node" }) === "owner";
}

async function lookupOwner(etcd: NonNullable<ReturnType<App["cluster"]["open"]>>["etcd"], cluster: string, svc: string): Promise<OwnerLookup> {
  try {
    const kv = (await etcd.range(clusterKeys(cluster).owner(svc))).kvs[0];
    return { kind: "found", owner: kv === undefined ? null : parseOwnerValue(kv.value, kv.lease, kv.createRevision) };
  } catch (e) {
    return { kind: "unavailable", why: (e as Error).message };
  }
}
