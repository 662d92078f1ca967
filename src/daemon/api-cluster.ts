/**
 * The API's view of this node's cluster membership: the health endpoint's `cluster` field, the
 * cluster metrics, and where requests about a service are answered (proxied to its owner).
 * Ownership for health and metrics is the member's (what this node vouches for now); the proxy
 * reads the owner key fresh from etcd, as a manual run does.
 */
import type { App } from "../service/app.js";
import type { ClusterHealth } from "../api/backend.js";
import type { ClusterRouting } from "../api/cluster-proxy.js";
import { renderClusterMetrics } from "../api/metrics/cluster-metrics.js";
import { readOwnerAddress, routeRequest } from "../cluster/route.js";
import { isFailoverManaged } from "../service/cluster-check.js";
import type { ServiceRegistry } from "./service-registry.js";

/** What the API needs of this node's ClusterMember. */
export interface MemberView {
  readonly unavailable: string | null;
  /** False until the member's first look at etcd is over. */
  readonly ready: boolean;
  readonly keepaliveFailures: number;
  candidates(): readonly string[];
  token(path: string): number | null;
}

export interface ApiCluster {
  readonly name: string;
  readonly member: MemberView;
}

export function clusterHealth(app: App, c: ApiCluster): ClusterHealth {
  const why = c.member.ready ? c.member.unavailable : "not looked at yet (the daemon is joining the cluster)";
  const owned = c.member.candidates().filter((svc) => c.member.token(svc) !== null).sort();
  return { name: c.name, node: app.nodename, etcdReachable: why === null, etcdError: why, owned };
}

export function clusterMetrics(c: ApiCluster, covers: (svc: string) => boolean): string {
  const services = c.member.candidates().map((svc) => ({ svc, owned: c.member.token(svc) !== null }));
  return renderClusterMetrics({ services, keepaliveFailures: c.member.keepaliveFailures }, covers);
}

export function clusterRouting(app: App, registry: ServiceRegistry): ClusterRouting | null {
  const cluster = app.cluster.open();
  if (cluster === null) return null;
  return {
    node: app.nodename,
    async route(svc, request) {
      const loaded = registry.get(svc);
      if (loaded === undefined || !isFailoverManaged(loaded.config, app.nodename)) return { kind: "local" };
      if (request.proxiedBy !== null || !request.hasKey || request.forced) return { kind: "local" };
      const address = await readOwnerAddress(cluster.etcd, cluster.name, svc);
      return routeRequest({ me: app.nodename, svc, ...request, address });
    },
    forward: (request, timeoutMs) => app.cluster.forward(request, timeoutMs),
  };
}

/**
 * The URL other nodes reach this node's API at: its TCP listener (`http(s)://HOST:PORT`), a
 * wildcard address (0.0.0.0, ::) replaced by the node's name; null without a TCP listener.
 */
export function advertisedApi(addresses: readonly string[], nodename: string): string | null {
  const tcp = addresses.find((a) => /^https?:\/\//.test(a));
  if (tcp === undefined) return null;
  return tcp.replace(/^(https?:\/\/)(0\.0\.0\.0|\[::\]|::)(?=:\d+$)/, `$1${nodename}`);
}
