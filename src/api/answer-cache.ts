/**
 * Answers of read-only list routes kept while the history's change token stays the same
 * (HistoryStore.changeToken): a dashboard polling `GET /api/v1/runs` costs a token check, not a
 * query and a serialisation. Keyed by what the caller may see and the query string; bounded
 * (least recently used entries go first). A store without a token (null) is never cached.
 *
 * Invariant: an answer is served only within `graceMs` of the last moment it was known to match
 * the history (made, or its token checked and found unchanged). Within that time the token is not
 * even read: a poller costs one token check per key every `graceMs`, and while the history is
 * being written (a burst of runs moves the token at every turn) one query per key every
 * `graceMs`. A list is never more than `graceMs` behind the history.
 */
export class AnswerCache {
  private readonly entries = new Map<string, { token: string; text: string; checkedAt: number }>();

  constructor(private readonly now: () => number, private readonly graceMs = 250, private readonly max = 256) {}

  /**
   * The answer for `key`: the cached one while it is known current, else `make()`'s.
   * `token` is read before `make` runs: a write during `make` makes the next check miss.
   */
  async answer(key: string, token: () => Promise<string | null>, make: () => Promise<string>): Promise<string> {
    const hit = this.entries.get(key);
    if (hit !== undefined && this.now() - hit.checkedAt < this.graceMs) return this.touch(key, hit).text;
    const current = await token();
    if (current === null) return make();
    if (hit !== undefined && hit.token === current) {
      hit.checkedAt = this.now();
      return this.touch(key, hit).text;
    }
    const text = await make();
    this.touch(key, { token: current, text, checkedAt: this.now() });
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
    return text;
  }

  /** Puts `entry` last (most recently used). */
  private touch<E extends { token: string; text: string; checkedAt: number }>(key: string, entry: E): E {
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry;
  }
}
