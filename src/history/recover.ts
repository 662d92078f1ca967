import type { RunRecord } from "../core/run-record.js";
import type { HistoryStore } from "../core/history-store.js";

/** (pid, start time) → is that very process still running. See liveness.ts. */
export type IsAlive = (pid: number, startTime: number | null) => boolean;

export interface Recovery {
  /** In flight, owner gone, task process gone: now recorded as `interrupted`. */
  readonly interrupted: RunRecord[];
  /**
   * In flight, owner gone, task process still alive (spawned detached): do not start
   * a second copy of the task; watch these with `settleOrphans` until they exit.
   */
  readonly orphaned: RunRecord[];
  /** In flight and their owner (a CLI run, or this daemon) is alive: not ours to touch. */
  readonly active: RunRecord[];
}

export function ownerAlive(r: RunRecord, isAlive: IsAlive): boolean {
  return r.ownerPid !== null && isAlive(r.ownerPid, r.ownerStartTime);
}

export function taskAlive(r: RunRecord, isAlive: IsAlive): boolean {
  return r.pid !== null && isAlive(r.pid, r.pidStartTime);
}

function goneReason(r: RunRecord, note: string | undefined): string {
  const owner = r.ownerPid === null ? "svcmgr" : `svcmgr (pid ${r.ownerPid})`;
  const reason = r.pid === null
    ? `${owner} exited while the task was starting (no task process recorded)`
    : `${owner} exited while the task ran (pid ${r.pid} gone)`;
  return note === undefined ? reason : `${reason}; ${note}`;
}

/** The reason recorded when an orphaned task process is seen to have exited. */
export function orphanExitReason(r: RunRecord): string {
  return `task process (pid ${r.pid}) exited after svcmgr (pid ${r.ownerPid ?? "?"}) had gone; its exit status cannot be known`;
}

/**
 * Only records this node wrote (or written before records named their node): in a history
 * shared by several nodes, another node's processes cannot be seen from here, so its runs in
 * flight are its own svcmgr's to recover.
 */
export function ofNode(node: string): (r: RunRecord) => boolean {
  return (r) => r.node === null || r.node === node;
}

/**
 * Crash recovery, run when the daemon starts, and by `run` for manual runs (`only`). Every in-flight record is
 * classified by who still lives: the svcmgr process that began it (owner) and the
 * task process. Only a record with both gone is made final, as `interrupted`; its
 * slot keeps its record, so the slot is never run again.
 * `endedAt` of such a record is `now`: when the loss was noticed, not when it happened.
 * `notes`: said after the reason of those runs (by id), such as what was done with their processes.
 */
export async function recoverInterrupted(store: HistoryStore, isAlive: IsAlive, now: number, only: (r: RunRecord) => boolean = () => true, notes: ReadonlyMap<number, string> = new Map()): Promise<Recovery> {
  const out: Recovery = { interrupted: [], orphaned: [], active: [] };
  for (const r of (await store.inFlight()).filter(only)) {
    if (ownerAlive(r, isAlive)) out.active.push(r);
    else if (taskAlive(r, isAlive)) out.orphaned.push(r);
    else if (await store.markInterrupted(r.id, goneReason(r, notes.get(r.id)), now)) out.interrupted.push((await store.get(r.id))!);
  }
  return out;
}

/**
 * Checks orphaned runs again (call it periodically): those whose process has exited
 * become `interrupted` with `orphanExitReason` (a process that is not our child
 * cannot be waited for, so its exit code is unknown). Returns those still running.
 */
export async function settleOrphans(store: HistoryStore, orphans: readonly RunRecord[], isAlive: IsAlive, now: number): Promise<RunRecord[]> {
  const alive: RunRecord[] = [];
  for (const r of orphans) {
    if (taskAlive(r, isAlive)) alive.push(r);
    else await store.markInterrupted(r.id, orphanExitReason(r), now);
  }
  return alive;
}
