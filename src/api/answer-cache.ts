/**
 * Answers of read-only list routes kept while the history's change token stays the same
 * (HistoryStore.changeToken): a dashboard polling `GET /api/v1/runs` costs a token check and
 * a write, not a query and a serialisation. Keyed by what the caller may see and the query
 * string; bounded (least recently used entries go first). A store without a token (null) is
 * never cached.
 *
 * While the history is being written (a burst of runs moves the token at every turn), an answer
 * younger than `graceMs` is still served: a poller then costs at most one query per key every
 * `graceMs`, and a list is never more than `graceMs` behind the history.
 */
export class AnswerCache {
  private readonly entries = new Map<string, { token: string; text: string; at: number }>();

  constructor(private readonly now: () => number, private readonly graceMs = 250, private readonly max = 256) {}

  get(key: string, token: string | null): string | undefined {
    if (token === null) return undefined;
    const hit = this.entries.get(key);
    if (hit === undefined || (hit.token !== token && this.now() - hit.at >= this.graceMs)) return undefined;
    this.entries.delete(key); // most recently used last
    this.entries.set(key, hit);
    return hit.text;
  }

  set(key: string, token: string | null, text: string): void {
    if (token === null) return;
    this.entries.delete(key);
    this.entries.set(key, { token, text, at: this.now() });
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }
}
