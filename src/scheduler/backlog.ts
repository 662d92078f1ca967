/**
 * A task's slots that must run one after another: the missed slots `catchup = all` runs after a
 * downtime or a forward clock step, and the slots that come due while they drain.
 *
 * Invariants:
 * - at most one slot of the backlog is in flight (handed to the slot queue, not yet done);
 * - slots leave in the order they came, which is slot order (the planner gives them oldest
 *   first, and later plans only give later slots);
 * - at most `limit` slots wait: beyond it the oldest waiting slot is given back to be recorded
 *   missed, so a task slower than its schedule cannot grow the line without end.
 */
import { Fifo } from "./fifo.js";

export class Backlog<T> {
  private readonly waiting = new Fifo<T>();
  /** The id of the slot in flight, or null. */
  inFlight: string | null = null;

  constructor(private readonly limit: number) {}

  /** True while slots wait or one is in flight: new due slots then join the line. */
  get active(): boolean {
    return this.inFlight !== null || this.waiting.length > 0;
  }

  get length(): number {
    return this.waiting.length;
  }

  /** Appends slots; returns the slots pushed out by the limit (oldest first). */
  push(slots: readonly T[]): T[] {
    for (const s of slots) this.waiting.push(s);
    const over: T[] = [];
    while (this.waiting.length > this.limit) over.push(this.waiting.shift()!);
    return over;
  }

  /** The next slot to hand to the slot queue, when none is in flight. */
  next(): T | undefined {
    return this.inFlight === null ? this.waiting.shift() : undefined;
  }

  /** Empties the line (shutdown, task removed); returns what waited. */
  clear(): T[] {
    this.inFlight = null;
    return this.waiting.removeWhere(() => true);
  }
}
