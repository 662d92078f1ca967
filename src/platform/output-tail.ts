/**
 * The last `limit` bytes of a stream, kept as the chunks that arrived (no copy); what falls
 * out of the window is counted. Memory: at most `limit` bytes plus part of one chunk.
 */
export class OutputTail {
  readonly #chunks: Buffer[] = [];
  #bytes = 0;
  #dropped = 0;

  constructor(private readonly limit: number) {}

  /** Bytes that fell out of the window. */
  get dropped(): number {
    return this.#dropped;
  }

  get bytes(): number {
    return this.#bytes;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.#chunks.push(chunk);
    this.#bytes += chunk.length;
    while (this.#bytes > this.limit) {
      const first = this.#chunks[0]!;
      const excess = this.#bytes - this.limit;
      if (first.length <= excess) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(excess);
      const gone = Math.min(first.length, excess);
      this.#bytes -= gone;
      this.#dropped += gone;
    }
  }

  /** The window's chunks, oldest first (no copy). */
  chunks(): Buffer[] {
    return [...this.#chunks];
  }
}
