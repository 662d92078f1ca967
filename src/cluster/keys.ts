/**
 * The cluster's keys in etcd (design §14), all under `/svcmgr/<cluster>/`:
 * - `nodes/<node>`: present while the node is alive (on the node's lease);
 * - `svc/<path>/owner`: the owner of a failover service (on the owner's lease), created only
 *   when absent; its create_revision is the fencing token;
 * - `svc/<path>/takeover`: a node asking the owner to hand the service over to it;
 * - `slots/<path>/<rid>/<ISO slot>`: a slot claimed once, by one node, for good.
 * ISO slots (`2026-01-02T03:04:05Z`) sort as their instants, so the last claimed slot of a task
 * is the greatest key under its prefix.
 */

export interface ClusterKeys {
  readonly root: string;
  readonly nodesPrefix: string;
  readonly servicesPrefix: string;
  node(node: string): string;
  owner(path: string): string;
  takeover(path: string): string;
  slotsPrefix(path: string, rid: string): string;
  slot(path: string, rid: string, scheduledFor: Date): string;
}

export function clusterKeys(cluster: string): ClusterKeys {
  const root = `/svcmgr/${cluster}/`;
  const slotsPrefix = (path: string, rid: string) => `${root}slots/${path}/${rid}/`;
  return {
    root,
    nodesPrefix: `${root}nodes/`,
    servicesPrefix: `${root}svc/`,
    node: (node) => `${root}nodes/${node}`,
    owner: (path) => `${root}svc/${path}/owner`,
    takeover: (path) => `${root}svc/${path}/takeover`,
    slotsPrefix,
    slot: (path, rid, scheduledFor) => `${slotsPrefix(path, rid)}${slotText(scheduledFor)}`,
  };
}

/** A slot as its key and SVCMGR_SCHEDULED_FOR show it: ISO 8601 UTC, whole seconds. */
export function slotText(d: Date): string {
  return d.toISOString().replace(/\.000Z$/, "Z");
}

/** The node name of a `nodes/<node>` key, or null. */
export function nodeOfKey(keys: ClusterKeys, key: string): string | null {
  return key.startsWith(keys.nodesPrefix) ? key.slice(keys.nodesPrefix.length) : null;
}

/** `{path, kind}` of a `svc/<path>/owner` or `svc/<path>/takeover` key, or null. */
export function serviceOfKey(keys: ClusterKeys, key: string): { path: string; kind: "owner" | "takeover" } | null {
  if (!key.startsWith(keys.servicesPrefix)) return null;
  const rest = key.slice(keys.servicesPrefix.length);
  const slash = rest.lastIndexOf("/");
  const kind = rest.slice(slash + 1);
  if (slash <= 0 || (kind !== "owner" && kind !== "takeover")) return null;
  return { path: rest.slice(0, slash), kind };
}
