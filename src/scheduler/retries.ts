/**
 * Retries of failed and interrupted runs: when the next attempt at a slot is due, and the line
 * of attempts waiting for their instant. Pure: time is an argument.
 *
 * Invariants:
 * - a slot gets at most `count` retries: attempts 2 .. count + 1, each linked to the record of
 *   the attempt before it;
 * - only a run that ran and did not succeed is retried (failed, timed out, aborted by a daemon
 *   stop, interrupted by a crash): a skip (requirements, max_parallel) or a success never is;
 * - an attempt waits `delayMs` after the one before it ended (at least until now);
 * - a retry never starts at or after the task's next slot: that slot runs instead.
 */

import type { Schedule } from "../schedule/types.js";

/** `retry` and `retry_delay` of a task. */
export interface RetryPolicy {
  /** Retries after the first attempt; 0: none. */
  readonly count: number;
  readonly delayMs: number;
}

/** Record statuses an attempt may be retried after. */
export const RETRYABLE_STATUSES: readonly string[] = ["failed", "timed_out", "aborted", "interrupted"];

export interface PendingRetry<T> {
  readonly at: number;
  readonly key: string;
  readonly attempt: number;
  readonly retryOf: number | null;
  readonly slot: T;
}

/**
 * The next attempt after one that ended with `status`; null when none is due. `nextSlotMs`: the
 * task's slot after the one retried (null: none).
 */
export function nextAttempt(
  policy: RetryPolicy | undefined,
  ended: { readonly attempt: number; readonly status: string | undefined; readonly endedAt: number },
  nowMs: number,
  nextSlotMs: number | null = null,
): { readonly at: number; readonly attempt: number } | null {
  if (policy === undefined || policy.count < 1 || ended.status === undefined) return null;
  if (!RETRYABLE_STATUSES.includes(ended.status) || ended.attempt > policy.count) return null;
  const at = Math.max(nowMs, ended.endedAt + policy.delayMs);
  return nextSlotMs !== null && at >= nextSlotMs ? null : { at, attempt: ended.attempt + 1 };
}

/** Attempts waiting for their instant, earliest first. */
export class RetryQueue<T> {
  private items: PendingRetry<T>[] = [];

  add(r: PendingRetry<T>): void {
    this.items.push(r);
    this.items.sort((a, b) => a.at - b.at);
  }

  earliest(): number | null {
    return this.items[0]?.at ?? null;
  }

  /** Removes and returns the attempts due at `nowMs`. */
  takeDue(nowMs: number): PendingRetry<T>[] {
    const due = this.items.filter((r) => r.at <= nowMs);
    this.items = this.items.filter((r) => r.at > nowMs);
    return due;
  }

  /** The wall clock moved by `deltaMs`: waits are durations, so their instants move with it. */
  shift(deltaMs: number): void {
    this.items = this.items.map((r) => ({ ...r, at: r.at + deltaMs }));
  }

  /** Removes the attempts of a task (or all); returns them. */
  drop(pred: (r: PendingRetry<T>) => boolean = () => true): PendingRetry<T>[] {
    const gone = this.items.filter(pred);
    this.items = this.items.filter((r) => !pred(r));
    return gone;
  }

  get length(): number {
    return this.items.length;
  }
}

/** The task's slot after `slot`, or null (none, or the schedule cannot say). */
export function slotAfter(schedule: Schedule | null, slot: Date): number | null {
  try {
    return schedule?.next(new Date(slot.getTime() + 1), slot)?.getTime() ?? null;
  } catch {
    return null;
  }
}
