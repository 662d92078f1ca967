/**
 * Who owns a failover service: the pure decision one node takes about one service at each look
 * at etcd. etcd does the arbitration (the owner key is created only when absent, in one txn);
 * this only decides when a node tries, so the order of `nodes` is preferred:
 * - a live owner is never challenged (a preferred node that comes back does not steal the
 *   service), except by a takeover request, which the owner honours by releasing it;
 * - with no owner, the live candidates try in the order of `nodes`: the one of rank r waits
 *   r × rankDelayMs after it first saw the service ownerless (a takeover's target goes first);
 * - a node that cannot vouch for its lease (fenced) never claims.
 */
import { nodeMatches } from "../config/scope.js";

export interface OwnerRecord {
  readonly node: string;
  readonly lease: string | null;
  /** The owner key's create_revision: the fencing token. */
  readonly token: number;
}

export interface OwnershipInput {
  readonly me: string;
  /** The service's `nodes` patterns, in preference order. */
  readonly nodes: readonly string[];
  /** Nodes with a presence key. */
  readonly alive: ReadonlySet<string>;
  readonly owner: OwnerRecord | null;
  /** This node's lease, null while it has none. */
  readonly myLease: string | null;
  /** True when this node cannot vouch for its lease (see LeaseFence). */
  readonly fenced: boolean;
  /** The node a takeover request names, or null. */
  readonly takeover: string | null;
  /** Monotonic instant this node first saw the service without owner, null when it has one. */
  readonly ownerlessSince: number | null;
  readonly now: number;
  readonly rankDelayMs: number;
}

export type OwnershipDecision =
  | { readonly kind: "not-candidate" }
  | { readonly kind: "hold" }
  | { readonly kind: "release"; readonly to: string }
  | { readonly kind: "claim" }
  | { readonly kind: "wait"; readonly until: number }
  | { readonly kind: "follow" };

export function decideOwnership(i: OwnershipInput): OwnershipDecision {
  if (!nodeMatches(i.me, i.nodes)) return { kind: "not-candidate" };
  if (i.owner !== null) {
    const mine = i.myLease !== null && i.owner.lease === i.myLease;
    if (!mine) return { kind: "follow" };
    if (i.takeover !== null && i.takeover !== i.me && i.alive.has(i.takeover)) return { kind: "release", to: i.takeover };
    return { kind: "hold" };
  }
  if (i.fenced || i.myLease === null) return { kind: "follow" };
  const rank = claimRank(i.me, i.nodes, i.alive, i.takeover);
  const until = (i.ownerlessSince ?? i.now) + rank * i.rankDelayMs;
  return i.now >= until ? { kind: "claim" } : { kind: "wait", until };
}

/**
 * This node's turn among the live candidates: 0 first. A live takeover target is first, then
 * the candidates by the first `nodes` pattern they match, then by name.
 */
export function claimRank(me: string, nodes: readonly string[], alive: ReadonlySet<string>, takeover: string | null): number {
  const candidates = [...new Set([...alive, me])].filter((n) => nodeMatches(n, nodes));
  const order = (n: string) => (n === takeover ? -1 : nodes.findIndex((p) => nodeMatches(n, [p])));
  candidates.sort((a, b) => order(a) - order(b) || (a < b ? -1 : a > b ? 1 : 0));
  return candidates.indexOf(me);
}

/** The owner key's value: who owns it, and on which lease (for humans and `cluster status`). */
export function ownerValue(node: string, lease: string): string {
  return JSON.stringify({ node, lease });
}

export function parseOwnerValue(value: string, lease: string | null, createRevision: number): OwnerRecord {
  try {
    const v = JSON.parse(value) as { node?: unknown };
    if (typeof v.node === "string") return { node: v.node, lease, token: createRevision };
  } catch {
    // not ours: shown as its raw text
  }
  return { node: value, lease, token: createRevision };
}
