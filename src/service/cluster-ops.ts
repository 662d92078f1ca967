/**
 * `svcmgr cluster status` and `svcmgr -s X takeover`, from any node whose node.conf has
 * `[cluster]`: both read and write etcd directly (no daemon needed to look; a takeover needs
 * this node's daemon, which claims the service once the owner released it).
 */
import type { App } from "./app.js";
import { ActionError, UsageError } from "../core/errors.js";
import { nodeMatches } from "../config/scope.js";
import type { ServiceConfig } from "../config/service.js";
import { EtcdRejectedError, EtcdUnavailableError, type EtcdClient } from "../cluster/etcd.js";
import { clusterKeys } from "../cluster/keys.js";
import { parseOwnerValue, type OwnerRecord } from "../cluster/ownership.js";
import { readClusterStatus, type ClusterStatus, type KnownService } from "../cluster/status.js";
import { isFailoverManaged } from "./cluster-check.js";
import { openService } from "./open.js";

/** This node's cluster, or a usage error (exit 2) naming node.conf. */
export function requireCluster(app: App, what: string): { readonly name: string; readonly etcd: EtcdClient } {
  const c = app.cluster.open();
  if (c === null) throw new UsageError(`${what}: this node is in no cluster: node.conf (${app.paths.etc}/node.conf) sets no [cluster] etcd (see svcmgr keywords --section cluster)`);
  return c;
}

/** The cluster as etcd holds it, with the services configured on this node; etcd unreachable: exit 1. */
export async function clusterStatus(app: App): Promise<ClusterStatus & { readonly cluster: string }> {
  const c = requireCluster(app, "cluster status");
  const known: KnownService[] = [];
  for (const path of app.configFiles.list()) {
    try {
      const { config } = await openService(app, path);
      known.push({ path: config.name, topology: topologyOf(config), nodes: config.value<string[]>("DEFAULT", "nodes") ?? ["*"] });
    } catch {
      // an invalid service is scheduled nowhere: it is listed only if some node owns it
    }
  }
  const status = await etcdCall(c.name, () => readClusterStatus(c.etcd, c.name, known));
  return { cluster: c.name, ...status };
}

export interface TakeoverResult {
  readonly svc: string;
  readonly from: string | null;
  readonly token: number;
  /** False when this node owned it already. */
  readonly moved: boolean;
}

/** How often a takeover looks whether the service moved. */
const TAKEOVER_POLL_MS = 200;

/**
 * Asks the owner to hand `config`'s service over to this node and waits until this node owns it.
 * The request lives on a lease of `timeoutMs` (at least 5 s): given up or left behind by a killed
 * CLI, it disappears by itself and never moves the service later.
 */
export async function takeover(app: App, config: ServiceConfig, timeoutMs: number): Promise<TakeoverResult> {
  const c = requireCluster(app, "takeover");
  const svc = config.name;
  const me = app.nodename;
  const nodes = config.value<string[]>("DEFAULT", "nodes") ?? ["*"];
  if (!isFailoverManaged(config, me)) throw new ActionError(`${svc}: no takeover: ${topologyOf(config) === "flex" ? "a flex service has no owner (each node runs its own schedule)" : "no other node may run it: it runs here as on a single node"}`);
  if (!nodeMatches(me, nodes)) throw new ActionError(`${svc}: no takeover: this node (${me}) is not in its nodes (${nodes.join(" ")})`);
  const keys = clusterKeys(c.name);
  return etcdCall(c.name, async () => {
    const alive = (await c.etcd.range(keys.node(me))).kvs.length > 0;
    if (!alive) throw new ActionError(`${svc}: no takeover: this node (${me}) is not alive in cluster ${c.name}: its daemon must run to take the service (svcmgr daemon start)`);
    const before = await owner(c.etcd, keys.owner(svc));
    if (before?.node === me) return { svc, from: me, token: before.token, moved: false };
    const lease = await c.etcd.leaseGrant(Math.max(5, Math.ceil(timeoutMs / 1000)));
    try {
      await c.etcd.put(keys.takeover(svc), me, { lease: lease.id });
      const deadline = app.clock.now() + timeoutMs;
      for (;;) {
        const now = await owner(c.etcd, keys.owner(svc));
        if (now?.node === me) return { svc, from: before?.node ?? null, token: now.token, moved: true };
        if (app.clock.now() >= deadline) {
          throw new ActionError(`${svc}: not taken over within ${Math.round(timeoutMs / 1000)} s: ${now === null ? "no node owns it" : `${now.node} still owns it`} (a hand-over waits for the owner's runs with on_ownership_loss = finish); the request is withdrawn`);
        }
        await new Promise<void>((r) => app.clock.setTimer(TAKEOVER_POLL_MS, r));
      }
    } finally {
      await c.etcd.leaseRevoke(lease.id).catch(() => undefined);
    }
  });
}

async function owner(etcd: EtcdClient, key: string): Promise<OwnerRecord | null> {
  const kv = (await etcd.range(key)).kvs[0];
  return kv === undefined ? null : parseOwnerValue(kv.value, kv.lease, kv.createRevision);
}

/** Runs `f`; etcd errors become an ActionError naming the cluster (exit 1). */
async function etcdCall<T>(cluster: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    if (e instanceof EtcdUnavailableError || e instanceof EtcdRejectedError) throw new ActionError(`cluster ${cluster}: ${e.message}`);
    throw e;
  }
}

function topologyOf(config: ServiceConfig): "failover" | "flex" {
  return config.value<string>("DEFAULT", "topology") === "flex" ? "flex" : "failover";
}
