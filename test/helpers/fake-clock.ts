/**
 * A Clock for tests. Wall time (`now()`) and timer time are separate, as in a real process:
 * timers run on a monotonic clock, so `jumpTo` (a wall-clock step, NTP correction or the wall
 * time lost in a suspend) moves `now()` without firing anything, and timers still fire after
 * their delay in monotonic time. No real sleeps: firing flushes microtasks and immediates.
 */
import type { Clock } from "../../src/core/ports.js";

interface FakeTimer {
  readonly id: number;
  readonly dueMono: number;
  readonly ms: number;
  readonly fire: () => void;
}

export class FakeClock implements Clock {
  private wall: number;
  private mono = 0;
  private nextId = 0;
  private timers: FakeTimer[] = [];
  /** Every delay ever requested, in order. */
  readonly armed: number[] = [];

  constructor(startMs: number) {
    this.wall = startMs;
  }

  now(): number {
    return this.wall;
  }

  setTimer(ms: number, fire: () => void): { cancel(): void } {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`bad timer delay ${ms}`);
    const timer = { id: this.nextId++, dueMono: this.mono + ms, ms, fire };
    this.armed.push(ms);
    this.timers.push(timer);
    return { cancel: () => { this.timers = this.timers.filter((t) => t !== timer); } };
  }

  /** Longest delay ever armed. */
  get maxArmedMs(): number {
    return this.armed.reduce((a, b) => Math.max(a, b), 0);
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Lets time pass: fires due timers in order, each at its own instant, settling after each. */
  async advanceBy(ms: number): Promise<void> {
    const end = this.mono + ms;
    await this.idle();
    for (;;) {
      const due = this.timers
        .filter((t) => t.dueMono <= end)
        .sort((a, b) => a.dueMono - b.dueMono || a.id - b.id)[0];
      if (due === undefined) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.wall += due.dueMono - this.mono;
      this.mono = due.dueMono;
      due.fire();
      await this.idle();
    }
    this.wall += end - this.mono;
    this.mono = end;
    await this.idle();
  }

  /** advanceBy up to a wall-clock instant. */
  advanceTo(wallMs: number): Promise<void> {
    return this.advanceBy(Math.max(0, wallMs - this.wall));
  }

  /** Steps the wall clock (forward: suspend or jump; backward: correction). Fires nothing. */
  jumpTo(wallMs: number): void {
    this.wall = wallMs;
  }

  /** Resolves when every pending microtask and immediate chain has settled (no timers fired). */
  async idle(): Promise<void> {
    for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
