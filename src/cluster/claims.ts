/**
 * Slot claims (design §14): before a cluster-managed slot runs, its key
 * `slots/<path>/<rid>/<ISO slot>` is created in one txn that also checks, for a failover
 * service, that the owner key's create_revision is still this node's fencing token.
 *
 * Invariants:
 * - a slot key is created once and never rewritten: a slot runs at most once in the cluster,
 *   whichever node replays it or however often;
 * - a deposed owner (its token no longer the owner key's create_revision) cannot claim;
 * - a claim sent twice (an answer lost, the request retried on another endpoint) is recognised
 *   as ours by its nonce; a retry attempt of a slot this owner claimed (same node and token)
 *   may run; any other second claim of a slot, a replayed instant included, is refused.
 */
import type { EtcdClient, RangeResult } from "./etcd.js";
import { slotText, type ClusterKeys } from "./keys.js";
import { parseOwnerValue } from "./ownership.js";

export interface SlotClaim {
  readonly path: string;
  readonly rid: string;
  readonly scheduledFor: Date;
  readonly node: string;
  /** The fencing token the owner key must still carry; null: no owner check (flex `run_once = cluster`). */
  readonly token: number | null;
  /** A retry attempt (2 or more) of the slot: allowed when this node claimed it under the same token. */
  readonly retry?: boolean;
}

export type ClaimResult =
  | { readonly kind: "claimed" }
  /** The slot was claimed already (by `by`, with `token`). */
  | { readonly kind: "taken"; readonly by: string; readonly token: number | null }
  /** The owner key no longer carries this token: `owner` owns the service now (null: nobody). */
  | { readonly kind: "deposed"; readonly owner: string | null };

/** Slot keys kept per task behind the newest claim (older ones are deleted by the claimer). */
export const SLOT_KEYS_KEPT_MS = 7 * 24 * 3600_000;

export async function claimSlot(etcd: EtcdClient, keys: ClusterKeys, c: SlotClaim): Promise<ClaimResult> {
  const slotKey = keys.slot(c.path, c.rid, c.scheduledFor);
  const ownerKey = keys.owner(c.path);
  const nonce = globalThis.crypto.randomUUID();
  const value = JSON.stringify({ node: c.node, token: c.token, nonce });
  const compare = [{ key: slotKey, target: "create", result: "=", value: 0 } as const];
  const ownerCheck = c.token === null ? [] : [{ key: ownerKey, target: "create", result: "=", value: c.token } as const];
  const r = await etcd.txn({
    compare: [...compare, ...ownerCheck],
    success: [{ put: { key: slotKey, value } }],
    failure: [{ range: { key: slotKey } }, { range: { key: ownerKey } }],
  });
  if (r.succeeded) return { kind: "claimed" };
  const [slot, owner] = r.responses.map((x) => (x.kind === "range" ? x.range : null)) as [RangeResult | null, RangeResult | null];
  const existing = slot?.kvs[0];
  const o = owner?.kvs[0];
  if (existing !== undefined) {
    const by = parseClaim(existing.value);
    const stillOwner = c.token === null || o?.createRevision === c.token;
    if (by.nonce === nonce || (c.retry === true && stillOwner && by.node === c.node && by.token === c.token)) return { kind: "claimed" };
    return { kind: "taken", by: by.node, token: by.token };
  }
  return { kind: "deposed", owner: o === undefined ? null : parseOwnerValue(o.value, o.lease, o.createRevision).node };
}

/** The newest slot of a task claimed in the cluster, or null when none is. */
export async function lastClaimedSlot(etcd: EtcdClient, keys: ClusterKeys, path: string, rid: string): Promise<Date | null> {
  const prefix = keys.slotsPrefix(path, rid);
  const r = await etcd.range(prefix, { prefix: true, keysOnly: true, limit: 1, sort: { target: "key", order: "descend" } });
  const key = r.kvs[0]?.key;
  if (key === undefined) return null;
  const d = new Date(key.slice(prefix.length));
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Deletes a task's slot keys older than SLOT_KEYS_KEPT_MS before `newest` (never the newest ones: they are the baseline). */
export async function pruneSlotKeys(etcd: EtcdClient, keys: ClusterKeys, path: string, rid: string, newest: Date): Promise<number> {
  const prefix = keys.slotsPrefix(path, rid);
  const end = `${prefix}${slotText(new Date(newest.getTime() - SLOT_KEYS_KEPT_MS))}`;
  return (await etcd.deleteRange(prefix, { end })).deleted;
}

function parseClaim(value: string): { node: string; token: number | null; nonce: string | null } {
  try {
    const v = JSON.parse(value) as { node?: unknown; token?: unknown; nonce?: unknown };
    return { node: typeof v.node === "string" ? v.node : value, token: typeof v.token === "number" ? v.token : null, nonce: typeof v.nonce === "string" ? v.nonce : null };
  } catch {
    return { node: value, token: null, nonce: null };
  }
}
