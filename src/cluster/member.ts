/**
 * This node as a cluster member: its presence key on its lease, the lease's renewal, and the
 * ownership of the failover services it is a candidate for. One loop, a look at etcd every
 * `pollMs`: renew the lease, read the nodes and the owner keys, take each service's decision
 * (ownership.ts), then tell listeners what this node gained or lost.
 *
 * Invariants:
 * - `token(path)` is non-null only while this node owns the service and vouches for its lease
 *   (LeaseFence: before the lease can expire, on the monotonic clock); every slot claim
 *   checks it again in etcd (claims.ts), so a stale view can refuse a run, never double one;
 * - "lost" is told at the latest when the fence expires, even while etcd does not answer
 *   (a timer, not the next answer); "acquired" only after etcd said so;
 * - a takeover is honoured gracefully: the owner stops claiming, tells "lost", waits until
 *   its runs of the service are over (`idle`), then deletes its owner key (if still its own).
 */
import { EtcdUnavailableError, type EtcdClient } from "./etcd.js";
import { LeaseFence } from "./fence.js";
import { clusterKeys, nodeOfKey, serviceOfKey, type ClusterKeys } from "./keys.js";
import { requestTakeover } from "./status.js";
import { decideOwnership, ownerValue, parseOwnerValue, type OwnerRecord } from "./ownership.js";

export interface MemberPorts {
  readonly etcd: EtcdClient;
  /** Monotonic milliseconds (performance.now): never stepped. */
  readonly monotonic: () => number;
  readonly setTimer: (ms: number, fire: () => void) => { cancel(): void };
  readonly log: (level: "info" | "warning" | "error", text: string, fields?: Record<string, unknown>) => void;
  /** Resolves once no run of the service is in progress here (a graceful hand-over waits for it). */
  readonly idle?: (path: string) => Promise<void>;
}

export interface MemberOptions {
  readonly cluster: string;
  readonly node: string;
  readonly ttlS: number;
  /** How often etcd is looked at. @default min(1000, TTL / 5) */
  readonly pollMs?: number;
  /** How long a candidate of rank r waits, times r, before claiming an ownerless service. @default min(1000, TTL / 4) */
  readonly rankDelayMs?: number;
  /** This node's API URL, published in its presence key (`api`) so other nodes can proxy to it; null: none. */
  readonly api?: () => string | null;
}

/** A failover service this node knows: its path and `nodes` patterns in preference order. */
export interface ClusterService {
  readonly path: string;
  readonly nodes: readonly string[];
}

export type MemberEvent =
  | { readonly kind: "acquired"; readonly path: string; readonly token: number }
  | { readonly kind: "lost"; readonly path: string; readonly token: number; readonly reason: string };

interface View {
  readonly alive: ReadonlySet<string>;
  readonly owners: ReadonlyMap<string, OwnerRecord>;
  readonly takeovers: ReadonlyMap<string, string>;
}

export class ClusterMember {
  readonly keys: ClusterKeys;
  private readonly fence: LeaseFence;
  private readonly pollMs: number;
  private readonly rankDelayMs: number;
  private lease: string | null = null;
  /** Monotonic instant this node last registered (a new lease). */
  private joinedAt = 0;
  private view: View = { alive: new Set(), owners: new Map(), takeovers: new Map() };
  private services = new Map<string, ClusterService>();
  private readonly ownerlessSince = new Map<string, number>();
  private readonly owned = new Map<string, number>();
  private readonly releasing = new Set<string>();
  private readonly listeners = new Set<(e: MemberEvent) => void>();
  private unreachable: string | null = null;
  /** Set once the first look at etcd is over (answered or not). */
  private looked = false;
  private failedRenewals = 0;
  private timer: { cancel(): void } | null = null;
  private fenceTimer: { cancel(): void } | null = null;
  private running = false;
  private ticking: Promise<void> = Promise.resolve();

  constructor(private readonly ports: MemberPorts, private readonly opts: MemberOptions) {
    this.keys = clusterKeys(opts.cluster);
    const ttlMs = opts.ttlS * 1000;
    this.fence = new LeaseFence(ttlMs);
    this.pollMs = opts.pollMs ?? Math.min(1000, Math.floor(ttlMs / 5));
    this.rankDelayMs = opts.rankDelayMs ?? Math.min(1000, Math.floor(ttlMs / 4));
  }

  get node(): string {
    return this.opts.node;
  }

  /** Why etcd cannot be used now, or null when the last look at it succeeded (or none is over yet: see `ready`). */
  get unavailable(): string | null {
    return this.unreachable;
  }

  /** Lease renewals (keepalives) that failed since start: etcd did not answer, or the lease had expired. */
  get keepaliveFailures(): number {
    return this.failedRenewals;
  }

  /** False until the first look at etcd is over: nothing is known of the cluster yet. */
  get ready(): boolean {
    return this.looked;
  }

  /** The failover services this node schedules (replaces the previous list). */
  setServices(list: readonly ClusterService[]): void {
    this.services = new Map(list.map((s) => [s.path, s]));
    this.check();
  }

  onEvent(listener: (e: MemberEvent) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** This node's fencing token for the service while it owns it and vouches for its lease, else null. */
  token(path: string): number | null {
    if (!this.fence.valid(this.ports.monotonic()) || this.releasing.has(path)) return null;
    const o = this.view.owners.get(path);
    return o !== undefined && this.lease !== null && o.lease === this.lease ? o.token : null;
  }

  /** The owner as last seen in etcd, or null. */
  owner(path: string): OwnerRecord | null {
    return this.view.owners.get(path) ?? null;
  }

  /** True when the last view said this node owns the service (fenced or not). */
  ownedLastSeen(path: string): boolean {
    return this.owned.has(path) || (this.lease !== null && this.view.owners.get(path)?.lease === this.lease);
  }

  /** The failover services this node is a candidate for (as last given to setServices), by path. */
  candidates(): readonly string[] {
    return [...this.services.keys()];
  }

  /** Nodes with a presence key, as last seen. */
  aliveNodes(): ReadonlySet<string> {
    return this.view.alive;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  /** Stops looking at etcd, gives up every service it owns and revokes its lease (others take over at once). */
  async stop(): Promise<void> {
    this.running = false;
    this.timer?.cancel();
    this.fenceTimer?.cancel();
    await this.ticking;
    const lease = this.lease;
    this.lease = null;
    this.fence.lost();
    this.check("this node's daemon stops");
    if (lease === null) return;
    try {
      await this.ports.etcd.leaseRevoke(lease);
    } catch (e) {
      this.ports.log("warning", `cluster: cannot revoke this node's lease (its keys expire with it): ${(e as Error).message}`, { event: "cluster-leave-failed" });
    }
  }

  /** Asks the owner of `path` to hand it over to this node (the request lives on this node's lease). */
  async requestTakeover(path: string): Promise<void> {
    if (this.lease === null) throw new EtcdUnavailableError(`cluster: this node has no lease yet (${this.unreachable ?? "joining"})`);
    await requestTakeover(this.ports.etcd, this.opts.cluster, path, this.node, this.lease);
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.timer = this.ports.setTimer(ms, () => {
      this.ticking = this.tick().finally(() => this.schedule(this.pollMs));
    });
  }

  private async tick(): Promise<void> {
    try {
      // Side by side: a slow read of the cluster never delays the lease's renewal.
      await Promise.all([this.keepLease(), this.look()]);
      await this.decideAll();
      if (this.unreachable !== null) this.ports.log("info", `cluster ${this.opts.cluster}: etcd answers (node ${this.node})`, { event: "cluster-reachable" });
      this.unreachable = null;
    } catch (e) {
      const why = (e as Error).message;
      if (this.unreachable === null) this.ports.log("warning", `cluster ${this.opts.cluster}: ${why}; no new run of a cluster-managed task until it answers`, { event: "cluster-unreachable", reason: why });
      this.unreachable = why;
    }
    this.looked = true;
    this.check();
  }

  /** Grants a lease and registers the node, or renews the lease (a gone lease is replaced). */
  private async keepLease(): Promise<void> {
    const etcd = this.ports.etcd;
    const sent = this.ports.monotonic();
    if (this.lease !== null) {
      let ttl: number;
      try {
        ttl = await etcd.leaseKeepAlive(this.lease);
      } catch (e) {
        this.failedRenewals++;
        throw e;
      }
      if (ttl > 0) return this.fence.renewed(sent);
      this.failedRenewals++;
      this.ports.log("warning", `cluster: this node's lease ${this.lease} expired; registering again`, { event: "cluster-lease-expired" });
      this.lease = null;
      this.fence.lost();
      this.check("this node's lease expired");
    }
    const granted = await etcd.leaseGrant(this.opts.ttlS);
    const api = this.opts.api?.() ?? null;
    await etcd.put(this.keys.node(this.node), JSON.stringify(api === null ? { node: this.node } : { node: this.node, api }), { lease: granted.id });
    this.lease = granted.id;
    this.joinedAt = this.ports.monotonic();
    this.fence.renewed(sent);
    this.ports.log("info", `cluster ${this.opts.cluster}: node ${this.node} joined (lease ${granted.id}, TTL ${this.opts.ttlS} s)`, { event: "cluster-joined", lease: granted.id });
  }

  private async look(): Promise<void> {
    const r = await this.ports.etcd.txn({
      compare: [],
      success: [{ range: { key: this.keys.nodesPrefix, prefix: true, keysOnly: true } }, { range: { key: this.keys.servicesPrefix, prefix: true } }],
    });
    const [nodes, svcs] = r.responses.map((x) => (x.kind === "range" ? x.range.kvs : []));
    const alive = new Set((nodes ?? []).map((kv) => nodeOfKey(this.keys, kv.key)).filter((n): n is string => n !== null));
    const owners = new Map<string, OwnerRecord>();
    const takeovers = new Map<string, string>();
    for (const kv of svcs ?? []) {
      const s = serviceOfKey(this.keys, kv.key);
      if (s?.kind === "owner") owners.set(s.path, parseOwnerValue(kv.value, kv.lease, kv.createRevision));
      else if (s?.kind === "takeover") takeovers.set(s.path, kv.value);
    }
    this.view = { alive, owners, takeovers };
  }

  private async decideAll(): Promise<void> {
    const now = this.ports.monotonic();
    for (const svc of this.services.values()) {
      const owner = this.view.owners.get(svc.path) ?? null;
      if (owner !== null) this.ownerlessSince.delete(svc.path);
      // A node that just joined first learns who else is alive: it counts from a delay after joining.
      else if (!this.ownerlessSince.has(svc.path)) this.ownerlessSince.set(svc.path, Math.max(now, this.joinedAt + this.rankDelayMs));
      const takeover = this.view.takeovers.get(svc.path) ?? null;
      const d = decideOwnership({
        me: this.node, nodes: svc.nodes, alive: this.view.alive, owner, myLease: this.lease, fenced: !this.fence.valid(now),
        takeover, ownerlessSince: this.ownerlessSince.get(svc.path) ?? null, now, rankDelayMs: this.rankDelayMs,
      });
      if (d.kind === "claim") await this.claim(svc.path, takeover === this.node);
      else if (d.kind === "release" && !this.releasing.has(svc.path)) void this.release(svc.path, owner!.token, d.to);
      else if (d.kind === "hold" && takeover === this.node) await this.ports.etcd.deleteRange(this.keys.takeover(svc.path));
      else if (d.kind === "not-candidate" && owner !== null && owner.lease === this.lease) await this.drop(svc.path, owner.token);
    }
    // A service no longer configured here is given up, or it would stay owned by this node.
    for (const [path, o] of this.view.owners) if (!this.services.has(path) && this.lease !== null && o.lease === this.lease) await this.drop(path, o.token);
  }

  /** Deletes this node's owner key of a service it is no longer a candidate for. */
  private async drop(path: string, token: number): Promise<void> {
    const key = this.keys.owner(path);
    await this.ports.etcd.txn({ compare: [{ key, target: "create", result: "=", value: token }], success: [{ deleteRange: { key } }] });
    this.ports.log("info", `cluster: gave up ${path}: it is no longer configured for this node`, { event: "cluster-released", svc: path });
  }

  private async claim(path: string, byTakeover: boolean): Promise<void> {
    const key = this.keys.owner(path);
    const r = await this.ports.etcd.txn({
      compare: [{ key, target: "create", result: "=", value: 0 }],
      success: [{ put: { key, value: ownerValue(this.node, this.lease!), lease: this.lease! } }, ...(byTakeover ? [{ deleteRange: { key: this.keys.takeover(path) } }] : [])],
      failure: [{ range: { key } }],
    });
    const seen = r.succeeded ? null : r.responses[0]?.kind === "range" ? r.responses[0].range.kvs[0] : undefined;
    if (seen === undefined) return;
    const record = seen === null ? { node: this.node, lease: this.lease, token: r.revision } : parseOwnerValue(seen.value, seen.lease, seen.createRevision);
    this.view = { ...this.view, owners: new Map(this.view.owners).set(path, record) };
  }

  /** Graceful hand-over to `to`: stop claiming, tell "lost", wait for the runs, then delete the owner key if still ours. */
  private async release(path: string, token: number, to: string): Promise<void> {
    this.releasing.add(path);
    this.check(`handed over to ${to} (takeover)`);
    try {
      await this.ports.idle?.(path);
      const key = this.keys.owner(path);
      await this.ports.etcd.txn({ compare: [{ key, target: "create", result: "=", value: token }], success: [{ deleteRange: { key } }] });
      const owners = new Map(this.view.owners);
      owners.delete(path);
      this.view = { ...this.view, owners };
      this.ports.log("info", `cluster: ${path} handed over to ${to}`, { event: "cluster-released", svc: path, to });
    } catch (e) {
      this.ports.log("warning", `cluster: cannot hand ${path} over to ${to} yet: ${(e as Error).message}`, { event: "cluster-release-failed", svc: path });
    } finally {
      this.releasing.delete(path);
    }
  }

  /** Tells listeners what changed in what this node owns and vouches for; re-arms the fence timer. */
  private check(reason?: string): void {
    const now = this.ports.monotonic();
    for (const path of new Set([...this.services.keys(), ...this.owned.keys()])) {
      const token = this.services.has(path) ? this.token(path) : null;
      const had = this.owned.get(path);
      if (had !== undefined && had !== token) {
        this.owned.delete(path);
        this.emit({ kind: "lost", path, token: had, reason: reason ?? this.lossReason(path, now) });
      }
      if (token !== null && had !== token) {
        this.owned.set(path, token);
        this.emit({ kind: "acquired", path, token });
      }
    }
    this.fenceTimer?.cancel();
    this.fenceTimer = null;
    if (this.running && this.owned.size > 0 && Number.isFinite(this.fence.until)) {
      this.fenceTimer = this.ports.setTimer(Math.max(0, this.fence.until - now) + 1, () => this.check());
    }
  }

  private lossReason(path: string, now: number): string {
    if (!this.fence.valid(now)) return `this node could not renew its etcd lease in time${this.unreachable === null ? "" : ` (${this.unreachable})`}`;
    const o = this.view.owners.get(path);
    return o === undefined ? "its owner key is gone" : `now owned by ${o.node}`;
  }

  private emit(e: MemberEvent): void {
    const text = e.kind === "acquired" ? `cluster: this node owns ${e.path} (fencing token ${e.token})` : `cluster: this node no longer owns ${e.path} (token ${e.token}): ${e.reason}`;
    this.ports.log(e.kind === "acquired" ? "info" : "warning", text, { event: `cluster-${e.kind}`, svc: e.path, token: e.token });
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.ports.log("error", `cluster: a listener failed: ${(err as Error).message}`, { event: "cluster-listener-error" });
      }
    }
  }
}
