/**
 * Whether a manual run (`svcmgr run`, `run --detach`, the API's run-now) of a cluster-managed
 * failover service may start on this node (design §14). Pure: the caller reads the owner key.
 *
 * - on the owner it runs, under the owner's fencing token;
 * - elsewhere (another owner, no owner yet, or etcd cannot say) it is refused, naming the
 *   owner, unless forced: a forced run is recorded as such (`forcedNote`, appended to the
 *   record's `initiatedBy`), never silently.
 */
import type { OwnerRecord } from "./ownership.js";

export type OwnerLookup =
  | { readonly kind: "found"; readonly owner: OwnerRecord | null }
  | { readonly kind: "unavailable"; readonly why: string };

export type ManualRunDecision =
  | { readonly kind: "run"; readonly token: number | null; readonly forcedNote: string | null }
  | { readonly kind: "refuse"; readonly message: string; readonly owner: string | null };

/** `forceHint`: how the caller forces a run (`--force`, the API body's `"force": true`). */
export function decideManualRun(svc: string, me: string, lookup: OwnerLookup, force: boolean, forceHint = "--force"): ManualRunDecision {
  if (lookup.kind === "found" && lookup.owner?.node === me) return { kind: "run", token: lookup.owner.token, forcedNote: null };
  const owner = lookup.kind === "found" ? (lookup.owner?.node ?? null) : null;
  const where =
    lookup.kind === "unavailable" ? `its owner cannot be confirmed: etcd cannot be reached (${lookup.why})`
    : owner === null ? "no node owns it yet (no daemon of its nodes holds it)"
    : `it is owned by ${owner} (fencing token ${lookup.owner!.token})`;
  if (force) return { kind: "run", token: null, forcedNote: `forced on ${me}: ${lookup.kind === "unavailable" ? "owner unknown, etcd unreachable" : owner === null ? "no owner" : `owner ${owner}`}` };
  const hint = owner === null ? "" : ` run it on ${owner}, or move it here with 'svcmgr -s ${svc} takeover';`;
  return { kind: "refuse", owner, message: `${svc}: not run on ${me}: ${where};${hint} ${forceHint} runs it here anyway (recorded as forced)` };
}

/** The record's `initiatedBy` of a forced run: who, then why it was forced. */
export function forcedInitiator(by: string, forcedNote: string | null): string {
  return forcedNote === null ? by : `${by} (${forcedNote})`;
}
