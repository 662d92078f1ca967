/**
 * A binary min-heap of wake entries ordered by instant, then by insertion order (so tasks due
 * at the same instant launch in the order they were planned). O(log n) push and pop.
 */
export interface WakeEntry {
  readonly at: number;
  readonly key: string;
  /** The task state generation the entry was planned for; stale entries are skipped lazily. */
  readonly gen: number;
}

interface Slot extends WakeEntry {
  readonly seq: number;
}

function before(a: Slot, b: Slot): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

export class WakeHeap {
  private readonly items: Slot[] = [];
  private seq = 0;

  get size(): number {
    return this.items.length;
  }

  peek(): WakeEntry | undefined {
    return this.items[0];
  }

  push(entry: WakeEntry): void {
    const items = this.items;
    items.push({ ...entry, seq: this.seq++ });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  /** The earliest entry `live` accepts, dropping the stale ones before it on the way. */
  peekLive(live: (e: WakeEntry) => boolean): WakeEntry | undefined {
    for (let top = this.peek(); top !== undefined; top = this.peek()) {
      if (live(top)) return top;
      this.pop();
    }
    return undefined;
  }

  pop(): WakeEntry | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    items[0] = last;
    this.siftDown(0);
    return top;
  }

  private siftDown(start: number): void {
    const items = this.items;
    const n = items.length;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && before(items[l]!, items[m]!)) m = l;
      if (r < n && before(items[r]!, items[m]!)) m = r;
      if (m === i) return;
      [items[i], items[m]] = [items[m]!, items[i]!];
      i = m;
    }
  }
}
