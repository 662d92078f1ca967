/**
 * The scheduler's stop: wait up to the grace period for running launches, then report those
 * still running. Owned by the scheduler loop: its timer only posts a `grace-check` event.
 *
 * Invariants: the report is given exactly once; it is given as soon as nothing runs, or when the
 * grace period has passed on the wall clock (re-checked at least every timer cap, so a clock step
 * neither shortens nor stretches it beyond one cap).
 */
import { timerDelay } from "./clock-jump.js";
import type { InFlightSlot } from "./slot-queue.js";
import type { Clock, SlotRef } from "./ports.js";

export interface StopReport {
  /** Launches still running when the grace period ended; the caller records them. */
  readonly interrupted: readonly SlotRef[];
  /** Due slots that had not started, recorded as missed. */
  readonly droppedQueued: number;
}

export class Shutdown {
  private done = false;
  private graceTimer: { cancel(): void } | null = null;
  private readonly deadline: number;

  constructor(
    private readonly clock: Clock,
    private readonly maxTimerMs: number,
    graceMs: number,
    private readonly dropped: number,
    private readonly resolve: (r: StopReport) => void,
    private readonly postCheck: () => void,
  ) {
    this.deadline = clock.now() + graceMs;
  }

  /** Call when the stop begins and after each launch ends. */
  update(runningCount: number): void {
    if (this.done) return;
    if (runningCount === 0) this.finish([]);
    else if (this.graceTimer === null) this.arm();
  }

  /** On `grace-check`: true when the grace period is over and `running` were reported. */
  check(running: () => readonly InFlightSlot[]): readonly InFlightSlot[] | null {
    if (this.done) return null;
    this.graceTimer = null;
    if (this.clock.now() < this.deadline) {
      this.arm();
      return null;
    }
    const still = running();
    this.finish(still);
    return still;
  }

  private arm(): void {
    this.graceTimer = this.clock.setTimer(timerDelay(this.deadline, this.clock.now(), this.maxTimerMs), this.postCheck);
  }

  private finish(interrupted: readonly InFlightSlot[]): void {
    this.done = true;
    this.graceTimer?.cancel();
    this.graceTimer = null;
    const refs = interrupted.map((s) => ({ svc: s.svc, rid: s.rid, scheduledFor: s.scheduledFor }));
    this.resolve({ interrupted: refs, droppedQueued: this.dropped });
  }
}
