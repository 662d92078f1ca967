/**
 * Which tasks the cluster decides for, and what a node does with a slot of such a task. Pure.
 *
 * - `local`: no `[cluster]` in node.conf, a flex service's task without `run_once = cluster`,
 *   or a failover service whose `nodes` names this node alone (no other node could take it
 *   over): the slot runs here as on a single node, whatever etcd's state;
 * - `owner`: a failover service's task: its slots run on the service's owner only, each
 *   claimed in etcd under the owner's fencing token;
 * - `once`: a flex service's task with `run_once = cluster`: each slot runs on the first
 *   node that claims it.
 */
import { nodeMatches } from "../config/scope.js";

export type ClusterMode = "local" | "owner" | "once";

export interface ModeInput {
  readonly clustered: boolean;
  readonly topology: "failover" | "flex";
  readonly nodes: readonly string[];
  readonly me: string;
  readonly runOnce: "node" | "cluster";
}

export function clusterMode(i: ModeInput): ClusterMode {
  if (!i.clustered) return "local";
  if (i.topology === "flex") return i.runOnce === "cluster" ? "once" : "local";
  const onlyMe = i.nodes.length > 0 && i.nodes.every((p) => !/[*?[]/.test(p) && nodeMatches(i.me, [p]));
  return onlyMe ? "local" : "owner";
}

/** What the node does with one due slot of a cluster-managed task. */
export type SlotVerdict =
  | { readonly kind: "run"; readonly token: number | null }
  /** Not this node's slot: nothing is recorded here (the owner, or the node that claimed it, records it). */
  | { readonly kind: "quiet"; readonly reason: string }
  /** This node would have run it but cannot know it may: recorded skipped with the reason. */
  | { readonly kind: "skip"; readonly reason: string };

/**
 * Which node records a slot skipped while etcd cannot be reached, so that the cluster records it
 * once: the node that owned the service as last seen, or with no owner seen, the service's
 * first live candidate of `nodes` as last seen (for `once` tasks: every node, each for its own
 * schedule).
 */
export function recordsSkip(mode: ClusterMode, ownedLastSeen: boolean, ownerSeen: string | null, firstCandidate: boolean): boolean {
  if (mode === "once") return true;
  return ownedLastSeen || (ownerSeen === null && firstCandidate);
}
