/**
 * `Idempotency-Key` (design §11): a retried request with the same key (per API key, for 24 h)
 * gets the runs of the first one instead of starting new ones. A reuse with a different body is
 * refused (it would otherwise silently return runs of another request). Entries are kept in
 * memory: a daemon restart forgets them. Bounded: the oldest entry goes past `max`.
 */
export interface IdempotentEntry<T> {
  readonly fingerprint: string;
  readonly value: Promise<T>;
  readonly expiresAt: number;
}

export const IDEMPOTENCY_TTL_MS = 24 * 3600_000;

export class IdempotencyCache<T> {
  private readonly entries = new Map<string, IdempotentEntry<T>>();

  constructor(private readonly now: () => number, private readonly max = 10_000) {}

  /**
   * The first call for (owner, key) runs `start`; later ones with the same fingerprint get its
   * result (`replayed`), with another fingerprint `mismatch`. A `start` that throws is not kept.
   */
  use(owner: string, key: string, fingerprint: string, start: () => Promise<T>): { readonly kind: "new" | "replayed"; readonly value: Promise<T> } | { readonly kind: "mismatch" } {
    this.expire();
    const id = `${owner}\u0000${key}`;
    const known = this.entries.get(id);
    if (known !== undefined) return known.fingerprint === fingerprint ? { kind: "replayed", value: known.value } : { kind: "mismatch" };
    const value = start();
    this.entries.set(id, { fingerprint, value, expiresAt: this.now() + IDEMPOTENCY_TTL_MS });
    value.catch(() => this.entries.delete(id));
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
    return { kind: "new", value };
  }

  private expire(): void {
    const now = this.now();
    for (const [id, e] of this.entries) {
      if (e.expiresAt > now) break; // insertion order is expiry order
      this.entries.delete(id);
    }
  }
}
