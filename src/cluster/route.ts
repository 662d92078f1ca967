/**
 * Where the API answers a request about a service (design §14): here, or on the service's
 * owner. Pure decision; `readOwnerAddress` reads the owner key and the owner's presence key
 * (whose `api` field each node publishes, member.ts).
 *
 * Invariants:
 * - a request that was proxied once is answered where it arrives: never proxied twice;
 * - only a request that carries an API key is proxied (the owner checks that key); one without
 *   (root on the socket) is answered here, where a run is then refused naming the owner;
 * - with no owner, or etcd unreachable, the request is answered here (which refuses runs).
 */
import type { EtcdClient } from "./etcd.js";
import { clusterKeys } from "./keys.js";
import { parseOwnerValue, type OwnerRecord } from "./ownership.js";

export type OwnerAddress =
  | { readonly kind: "found"; readonly owner: OwnerRecord | null; readonly alive: boolean; readonly api: string | null }
  | { readonly kind: "unavailable"; readonly why: string };

export interface RouteInput {
  readonly me: string;
  readonly svc: string;
  /** The node that proxied this request here, or null. */
  readonly proxiedBy: string | null;
  readonly hasKey: boolean;
  /** A run-now with `"force": true`: it runs here. */
  readonly forced: boolean;
  readonly address: OwnerAddress;
}

export type RouteDecision =
  | { readonly kind: "local" }
  | { readonly kind: "proxy"; readonly owner: string; readonly url: string }
  | { readonly kind: "refuse"; readonly status: 503; readonly owner: string; readonly detail: string };

export function routeRequest(i: RouteInput): RouteDecision {
  if (i.proxiedBy !== null || !i.hasKey || i.forced || i.address.kind === "unavailable") return { kind: "local" };
  const { owner, alive, api } = i.address;
  if (owner === null || owner.node === i.me) return { kind: "local" };
  if (!alive) return { kind: "refuse", status: 503, owner: owner.node, detail: `${i.svc} is owned by ${owner.node}, which is not alive in the cluster (its lease is expiring): try again in a few seconds` };
  if (api === null) return { kind: "refuse", status: 503, owner: owner.node, detail: `${i.svc} is owned by ${owner.node}, whose daemon publishes no API address (set [listener] addr on ${owner.node}): ask ${owner.node} directly` };
  return { kind: "proxy", owner: owner.node, url: api };
}

/** The owner of `svc` and, when it has one, whether it is alive and the API URL it publishes. */
export async function readOwnerAddress(etcd: EtcdClient, cluster: string, svc: string): Promise<OwnerAddress> {
  const keys = clusterKeys(cluster);
  try {
    const kv = (await etcd.range(keys.owner(svc))).kvs[0];
    if (kv === undefined) return { kind: "found", owner: null, alive: false, api: null };
    const owner = parseOwnerValue(kv.value, kv.lease, kv.createRevision);
    const node = (await etcd.range(keys.node(owner.node))).kvs[0];
    return { kind: "found", owner, alive: node !== undefined, api: node === undefined ? null : apiOf(node.value) };
  } catch (e) {
    return { kind: "unavailable", why: (e as Error).message };
  }
}

function apiOf(value: string): string | null {
  try {
    const v = JSON.parse(value) as { api?: unknown };
    return typeof v.api === "string" && /^https?:\/\//.test(v.api) ? v.api : null;
  } catch {
    return null;
  }
}

/** The header a proxied request carries: the name of the node that proxied it. */
export const PROXIED_BY_HEADER = "svcmgr-proxied-by";
/** The header of a proxied answer: the node that answered. */
export const ANSWERED_BY_HEADER = "svcmgr-answered-by";
