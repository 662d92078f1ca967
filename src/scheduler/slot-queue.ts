/**
 * The node-wide concurrency limit: slots due beyond `maxParallel` wait in FIFO order and start
 * as others finish; none is dropped. Also the guard that the same (task, slot) is never in
 * flight twice. Owned by the scheduler loop: only its event handlers call these methods.
 */
import { Fifo } from "./fifo.js";
import type { RetryRef } from "./ports.js";
import type { TaskRef } from "./events.js";
import type { LaunchSlot } from "./planner.js";

export interface InFlightSlot {
  /** `<key>@<epoch ms>`: the slot identity. */
  readonly id: string;
  readonly key: string;
  readonly svc: string;
  readonly rid: string;
  readonly scheduledFor: Date;
  readonly catchup: boolean;
  /** The slot's instant came again after the clock was set back. */
  readonly repeat?: boolean;
  /** Set for a retry of the slot. */
  readonly retry?: RetryRef;
}

export function slotId(key: string, scheduledFor: Date): string {
  return `${key}@${scheduledFor.getTime()}`;
}

/** A task's planned slot as the queue holds it; a repeat (the clock was set back) is its own slot. */
export function inFlightSlot(task: TaskRef, launch: LaunchSlot & { readonly repeat?: boolean }): InFlightSlot {
  const repeat = launch.repeat === true;
  const id = slotId(task.key, launch.scheduledFor) + (repeat ? "~repeat" : "");
  return { svc: task.svc, rid: task.rid, key: task.key, id, scheduledFor: launch.scheduledFor, catchup: launch.catchup, repeat };
}

export class SlotQueue {
  private readonly queue = new Fifo<InFlightSlot>();
  private readonly queued = new Set<string>();
  private readonly running = new Map<string, InFlightSlot>();

  constructor(private readonly maxParallel: number) {
    if (!(maxParallel >= 1)) throw new RangeError(`maxParallel must be >= 1, got ${maxParallel}`);
  }

  get runningCount(): number {
    return this.running.size;
  }

  get queuedCount(): number {
    return this.queue.length;
  }

  /** Queues a slot; false when that slot is already queued or running (never launched twice). */
  offer(slot: InFlightSlot): boolean {
    if (this.queued.has(slot.id) || this.running.has(slot.id)) return false;
    this.queued.add(slot.id);
    this.queue.push(slot);
    return true;
  }

  /** Queued slots that cannot start until others finish (0: everything queued starts now). */
  get waitingCount(): number {
    return Math.max(0, this.running.size + this.queue.length - this.maxParallel);
  }

  /** Moves as many queued slots as the limit allows to running, in FIFO order. */
  takeStartable(): InFlightSlot[] {
    const out: InFlightSlot[] = [];
    while (this.running.size < this.maxParallel) {
      const slot = this.queue.shift();
      if (slot === undefined) break;
      this.queued.delete(slot.id);
      this.running.set(slot.id, slot);
      out.push(slot);
    }
    return out;
  }

  finish(id: string): InFlightSlot | undefined {
    const slot = this.running.get(id);
    this.running.delete(id);
    return slot;
  }

  /** Removes queued (not started) slots matching `pred`. */
  dropQueued(pred: (slot: InFlightSlot) => boolean): InFlightSlot[] {
    const removed = this.queue.removeWhere(pred);
    for (const slot of removed) this.queued.delete(slot.id);
    return removed;
  }

  runningSlots(): InFlightSlot[] {
    return [...this.running.values()];
  }
}
