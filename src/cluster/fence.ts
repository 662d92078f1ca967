/**
 * Self-fencing: how long this node may act on its lease. Pure, on a monotonic clock (never the
 * wall clock, which can be stepped).
 *
 * Invariant: a lease renewed by a request sent at instant s lives at least until s + TTL
 * (etcd restarts the TTL when it processes the renewal, which is after s). The node vouches for
 * its lease only until s + TTL − margin, so it stops claiming slots and applies
 * on_ownership_loss before the lease can expire and another node take its services over.
 */
export class LeaseFence {
  private validUntil = -Infinity;

  constructor(private readonly ttlMs: number, private readonly marginMs: number = defaultMargin(ttlMs)) {}

  /** The lease was granted or renewed by a request sent at `sentAt` (monotonic ms). */
  renewed(sentAt: number): void {
    this.validUntil = Math.max(this.validUntil, sentAt + this.ttlMs - this.marginMs);
  }

  /** The lease is gone (expired, revoked): nothing is vouched for until a new one is granted. */
  lost(): void {
    this.validUntil = -Infinity;
  }

  /** True while the node may still act as the holder of its lease. */
  valid(now: number): boolean {
    return now < this.validUntil;
  }

  /** Monotonic instant until which the lease is vouched for (−Infinity: never). */
  get until(): number {
    return this.validUntil;
  }
}

/** A quarter of the TTL, at least 500 ms: time to stop claiming and kill runs before the lease can expire. */
export function defaultMargin(ttlMs: number): number {
  return Math.max(500, Math.floor(ttlMs / 4));
}
