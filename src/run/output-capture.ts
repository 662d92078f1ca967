import type { OutputExcerpt } from "../core/run-record.js";

export type OutputStream = "stdout" | "stderr";

export interface CaptureOptions {
  /** Bytes kept from the start of the output. @default 8192 */
  readonly headBytes?: number;
  /** Bytes kept from the end of the output. @default 8192 */
  readonly tailBytes?: number;
}

export const DEFAULT_EXCERPT_BYTES = 8192;

/** Length of the longest prefix of `b` that does not end inside a UTF-8 sequence. */
export function utf8PrefixEnd(b: Buffer): number {
  const n = b.length;
  for (let back = 1; back <= Math.min(4, n); back++) {
    const byte = b[n - back]!;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return need > back ? n - back : n;
  }
  return n; // no lead byte within 4: not UTF-8 text, leave as is
}

/** Offset of the first byte of `b` that does not continue a sequence cut off before it. */
export function utf8SuffixStart(b: Buffer): number {
  let i = 0;
  while (i < Math.min(3, b.length) && (b[i]! & 0xc0) === 0x80) i++;
  return i < b.length && (b[i]! & 0xc0) === 0x80 ? 0 : i;
}

/**
 * Keeps the first `headBytes` and the last `tailBytes` of a run's combined output
 * (both streams, in arrival order). Memory is the two buffers allocated up front,
 * whatever the output size.
 * Invariant: head holds bytes [0, headLen); the ring holds the last `tailLen` bytes
 * after the head; nothing else is retained.
 */
export class OutputCapture {
  readonly #head: Buffer;
  readonly #ring: Buffer;
  #headLen = 0;
  #ringStart = 0;
  #ringLen = 0;
  #bytes = { stdout: 0, stderr: 0 };

  constructor(opts: CaptureOptions = {}) {
    const headBytes = opts.headBytes ?? DEFAULT_EXCERPT_BYTES;
    const tailBytes = opts.tailBytes ?? DEFAULT_EXCERPT_BYTES;
    for (const [k, v] of [["headBytes", headBytes], ["tailBytes", tailBytes]] as const) {
      if (!Number.isInteger(v) || v < 0) throw new RangeError(`OutputCapture: ${k} must be a non-negative integer, got ${v}`);
    }
    this.#head = Buffer.alloc(headBytes);
    this.#ring = Buffer.alloc(tailBytes);
  }

  get outputBytes(): number {
    return this.#bytes.stdout + this.#bytes.stderr;
  }

  /** True once some output was left out of head + tail. */
  get truncated(): boolean {
    return this.outputBytes > this.#headLen + this.#ringLen;
  }

  push(stream: OutputStream, chunk: Buffer): void {
    this.#bytes[stream] += chunk.length;
    const toHead = Math.min(chunk.length, this.#head.length - this.#headLen);
    chunk.copy(this.#head, this.#headLen, 0, toHead);
    this.#headLen += toHead;
    if (toHead < chunk.length) this.#pushRing(chunk.subarray(toHead));
  }

  #pushRing(data: Buffer): void {
    const cap = this.#ring.length;
    if (cap === 0) return;
    const keep = data.length > cap ? data.subarray(data.length - cap) : data;
    let end = (this.#ringStart + this.#ringLen) % cap;
    const first = Math.min(keep.length, cap - end);
    keep.copy(this.#ring, end, 0, first);
    keep.copy(this.#ring, 0, first);
    end = (end + keep.length) % cap;
    const len = Math.min(cap, this.#ringLen + keep.length);
    this.#ringStart = (end - len + cap) % cap;
    this.#ringLen = len;
  }

  /** The ring's contents, oldest byte first (a copy, at most tailBytes). */
  #tailBuffer(): Buffer {
    const cap = this.#ring.length;
    const firstLen = Math.min(this.#ringLen, cap - this.#ringStart);
    return Buffer.concat([
      this.#ring.subarray(this.#ringStart, this.#ringStart + firstLen),
      this.#ring.subarray(0, this.#ringLen - firstLen),
    ]);
  }

  /**
   * Head and tail as UTF-8 text cut at character boundaries. Not truncated: head is
   * the whole output and tail is empty, so no character is split between them.
   */
  excerpt(): OutputExcerpt {
    const head = this.#head.subarray(0, this.#headLen);
    const tail = this.#tailBuffer();
    const counts = { outputBytes: this.outputBytes, stdoutBytes: this.#bytes.stdout, stderrBytes: this.#bytes.stderr };
    if (!this.truncated) {
      return { outputHead: Buffer.concat([head, tail]).toString("utf8"), outputTail: "", truncated: false, ...counts };
    }
    return {
      outputHead: head.subarray(0, utf8PrefixEnd(head)).toString("utf8"),
      outputTail: tail.subarray(utf8SuffixStart(tail)).toString("utf8"),
      truncated: true,
      ...counts,
    };
  }
}
