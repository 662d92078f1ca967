/**
 * The scheduler's one timer. Invariant: at most one is armed, for min(target − now, cap), and an
 * armed timer that fires no later than a new target is kept (no re-arming churn).
 */
import { timerDelay } from "./clock-jump.js";
import type { Clock } from "./ports.js";

export class WakeTimer {
  private armed: { readonly cancel: () => void; readonly expected: number } | null = null;

  constructor(private readonly clock: Clock, private readonly capMs: number, private readonly onFire: () => void) {}

  /** Arms for `target` (epoch ms), or cancels when there is none. */
  arm(target: number | null, now: number): void {
    if (target === null) return this.cancel();
    if (this.armed !== null && this.armed.expected <= target) return; // an early enough wake is armed
    this.cancel();
    const delay = timerDelay(target, now, this.capMs);
    const handle = this.clock.setTimer(delay, () => this.onFire());
    this.armed = { cancel: () => handle.cancel(), expected: now + delay };
  }

  /** The timer fired: forgets it and returns the instant it was armed for (undefined: none was). */
  fired(): number | undefined {
    const expected = this.armed?.expected;
    this.armed = null;
    return expected;
  }

  cancel(): void {
    this.armed?.cancel();
    this.armed = null;
  }
}
