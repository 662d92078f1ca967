/**
 * The daemon's side of the cluster (design §14): this node's membership, and the gate every
 * due slot of a cluster-managed task passes before it runs (slot-policy.ts says which tasks).
 *
 * Invariants:
 * - a failover service's slot runs only after this node claimed it in etcd under its current
 *   fencing token; a flex `run_once = cluster` slot only after it claimed it at all;
 * - a slot that is not this node's leaves nothing here (the node that runs it records it);
 * - while etcd cannot be reached no cluster-managed slot runs anywhere, and one node (the one
 *   that would have run it) records it skipped with the reason;
 * - when this node becomes a service's owner, each of its tasks continues from the newest slot
 *   claimed in etcd (catch-up policy applied), not from this node's history;
 * - when it stops owning it, runs in progress follow `on_ownership_loss` (kill: aborted now).
 */
import type { App } from "../service/app.js";
import type { DaemonLog } from "../core/ports.js";
import type { ClusterSettings } from "../config/node-config.js";
import type { ServiceConfig } from "../config/service.js";
import type { TaskDef } from "../task/model.js";
import type { LaunchRequest } from "../scheduler/ports.js";
import { taskKey } from "../scheduler/task.js";
import { EtcdUnavailableError, type EtcdClient } from "../cluster/etcd.js";
import { ClusterMember, type ClusterService } from "../cluster/member.js";
import { claimSlot, lastClaimedSlot, pruneSlotKeys } from "../cluster/claims.js";
import { claimRank } from "../cluster/ownership.js";
import { clusterMode, recordsSkip, type ClusterMode, type SlotVerdict } from "../cluster/slot-policy.js";
import type { ServiceRegistry } from "./service-registry.js";

export interface ClusterGateOptions {
  readonly app: App;
  readonly registry: ServiceRegistry;
  readonly etcd: EtcdClient;
  readonly settings: ClusterSettings;
  /** Monotonic milliseconds. */
  readonly monotonic: () => number;
  readonly log: DaemonLog;
  /** Continues a task from a slot (Scheduler.rebase). */
  readonly rebase: (key: string, last: Date | null) => void;
  /** This node's API URL, published for the other nodes' API proxy (null: none). */
  readonly api?: () => string | null;
}

interface RunEntry {
  readonly policy: "finish" | "kill";
  readonly stop: AbortController;
}

/** How often a graceful hand-over looks whether the service's runs are over. */
const IDLE_POLL_MS = 200;
/** Slot keys are pruned once per this many claims of a task. */
const PRUNE_EVERY = 500;

export class ClusterGate {
  readonly member: ClusterMember;
  private readonly runs = new Map<string, Set<RunEntry>>();
  private claims = 0;

  constructor(private readonly o: ClusterGateOptions) {
    this.member = new ClusterMember({
      etcd: o.etcd, monotonic: o.monotonic, setTimer: (ms, fire) => o.app.clock.setTimer(ms, fire),
      log: (level, text, fields) => o.log.write(level, text, fields), idle: (path) => this.idle(path),
    }, { cluster: o.settings.name, node: o.app.nodename, ttlS: o.settings.leaseTtlS, api: o.api });
    this.member.onEvent((e) => (e.kind === "acquired" ? void this.continueFromClaims(e.path) : this.onLost(e.path, e.reason)));
  }

  start(): void {
    this.member.start();
  }

  stop(): Promise<void> {
    return this.member.stop();
  }

  /** After each load of the services: the failover services this node is a candidate for. */
  servicesChanged(): void {
    const list: ClusterService[] = [];
    for (const [svc, loaded] of this.o.registry.entries()) {
      if (this.serviceMode(loaded.config) === "owner") list.push({ path: svc, nodes: nodesOf(loaded.config) });
    }
    this.member.setServices(list);
  }

  modeOf(config: ServiceConfig, task: TaskDef): ClusterMode {
    return clusterMode({ clustered: true, topology: topologyOf(config), nodes: nodesOf(config), me: this.o.app.nodename, runOnce: task.runOnce ?? "node" });
  }

  /** Whether this due slot runs here (and under which token), is not this node's, or is skipped. */
  async admit(slot: LaunchRequest, config: ServiceConfig, task: TaskDef): Promise<SlotVerdict> {
    const mode = this.modeOf(config, task);
    if (mode === "local") return { kind: "run", token: null };
    if (!this.member.ready) return { kind: "quiet", reason: "this node is joining the cluster" };
    if (mode === "once") {
      const why = this.member.unavailable;
      if (why !== null) return { kind: "skip", reason: `cluster: etcd cannot be reached (${why}); a run_once = cluster slot runs on no node until it answers` };
      return this.claim(slot, null);
    }
    const token = this.member.token(slot.svc);
    return token === null ? this.notOwned(slot.svc, config) : this.claim(slot, token);
  }

  /** A run of a cluster-managed task started: `on_ownership_loss` applies to it until `release`. */
  track(svc: string, task: TaskDef, stop: AbortController): () => void {
    const entry: RunEntry = { policy: task.onOwnershipLoss ?? "finish", stop };
    const set = this.runs.get(svc) ?? new Set<RunEntry>();
    this.runs.set(svc, set.add(entry));
    return () => {
      set.delete(entry);
      if (set.size === 0 && this.runs.get(svc) === set) this.runs.delete(svc);
    };
  }

  private serviceMode(config: ServiceConfig): ClusterMode {
    return clusterMode({ clustered: true, topology: topologyOf(config), nodes: nodesOf(config), me: this.o.app.nodename, runOnce: "node" });
  }

  private notOwned(svc: string, config: ServiceConfig): SlotVerdict {
    const why = this.member.unavailable;
    const owner = this.member.owner(svc);
    if (why !== null) {
      const first = claimRank(this.o.app.nodename, nodesOf(config), this.member.aliveNodes(), null) === 0;
      if (recordsSkip("owner", this.member.ownedLastSeen(svc), owner?.node ?? null, first)) {
        return { kind: "skip", reason: `cluster: etcd cannot be reached (${why}); the owner of ${svc} cannot be confirmed, so no node runs its tasks until it answers` };
      }
    }
    return { kind: "quiet", reason: owner === null ? `no node owns ${svc} yet` : `${svc} is owned by ${owner.node}` };
  }

  private async claim(slot: LaunchRequest, token: number | null): Promise<SlotVerdict> {
    const keys = this.member.keys;
    let r;
    try {
      r = await claimSlot(this.o.etcd, keys, { path: slot.svc, rid: slot.rid, scheduledFor: slot.scheduledFor, node: this.o.app.nodename, token, retry: slot.retry !== undefined });
    } catch (e) {
      const unavailable = e instanceof EtcdUnavailableError;
      return { kind: "skip", reason: `cluster: the slot could not be claimed in etcd (${(e as Error).message})${unavailable ? "; not run on any node" : ""}` };
    }
    if (r.kind === "taken") return { kind: "quiet", reason: `slot already claimed by ${r.by}` };
    if (r.kind === "deposed") return { kind: "quiet", reason: `${slot.svc} is now owned by ${r.owner ?? "no node"}` };
    if (++this.claims % PRUNE_EVERY === 0) void pruneSlotKeys(this.o.etcd, keys, slot.svc, slot.rid, slot.scheduledFor).catch(() => undefined);
    return { kind: "run", token };
  }

  /** This node now owns `svc`: each scheduled task continues from the newest slot claimed in etcd. */
  private async continueFromClaims(svc: string): Promise<void> {
    const loaded = this.o.registry.get(svc);
    if (loaded === undefined) return;
    for (const task of loaded.tasks.values()) {
      if (task.schedule === "") continue;
      try {
        const last = await lastClaimedSlot(this.o.etcd, this.member.keys, svc, task.rid);
        this.o.rebase(taskKey(svc, task.rid), last);
        this.o.log.write("info", `cluster: ${svc} ${task.rid} continues from ${last === null ? "now (no slot claimed in the cluster yet)" : `the slot last claimed in the cluster, ${last.toISOString()}`}`, { event: "cluster-continue", svc, rid: task.rid });
      } catch (e) {
        this.o.log.write("warning", `cluster: cannot read the slots of ${svc} ${task.rid} claimed in the cluster: ${(e as Error).message}; it goes on from its own schedule`, { event: "cluster-continue-failed", svc, rid: task.rid });
      }
    }
  }

  /** This node no longer owns `svc`: runs with on_ownership_loss = kill are stopped now. */
  private onLost(svc: string, reason: string): void {
    for (const run of this.runs.get(svc) ?? []) {
      if (run.policy === "kill") run.stop.abort(new Error(`this node no longer owns ${svc} (${reason}); on_ownership_loss = kill`));
    }
  }

  private idle(svc: string): Promise<void> {
    return new Promise((resolve) => {
      const look = () => (this.runs.has(svc) ? this.o.app.clock.setTimer(IDLE_POLL_MS, look) : resolve());
      look();
    });
  }
}

function topologyOf(config: ServiceConfig): "failover" | "flex" {
  return config.value<string>("DEFAULT", "topology") === "flex" ? "flex" : "failover";
}

function nodesOf(config: ServiceConfig): string[] {
  return config.value<string[]>("DEFAULT", "nodes") ?? ["*"];
}
