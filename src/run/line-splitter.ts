/** One line of task output, without its line terminator (`\n` or `\r\n`). */
export interface SplitLine {
  /** Decoded as UTF-8; invalid bytes become U+FFFD. */
  readonly text: string;
  /** True when the line was longer than the cap and cut here: the next line continues it. */
  readonly cut: boolean;
}

export interface OutputLine extends SplitLine {
  readonly stream: "stdout" | "stderr";
}

/** Turns the chunks of one byte stream into complete lines. */
export interface LineSplitter {
  /** The lines completed by this chunk (possibly none). */
  push(chunk: Uint8Array): SplitLine[];
  /** At end of stream: the last line when it had no newline. Resets the splitter. */
  flush(): SplitLine[];
}

export const DEFAULT_MAX_LINE_BYTES = 64 * 1024;

/**
 * Invariants: at most `maxLineBytes` bytes are held between calls (never a whole stream);
 * a cut never splits a UTF-8 sequence that is valid; chunk boundaries never change the lines.
 */
export function createLineSplitter(maxLineBytes: number = DEFAULT_MAX_LINE_BYTES): LineSplitter {
  if (!Number.isInteger(maxLineBytes) || maxLineBytes < 4) throw new RangeError(`maxLineBytes must be an integer >= 4, got ${maxLineBytes}`);
  let pending: Buffer[] = [];
  let pendingLen = 0;

  const take = (): Buffer => {
    const buf = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingLen);
    pending = [];
    pendingLen = 0;
    return buf;
  };
  const append = (piece: Buffer, out: SplitLine[]): void => {
    if (piece.length === 0) return;
    pending.push(piece);
    pendingLen += piece.length;
    while (pendingLen > maxLineBytes) {
      const buf = take();
      const cut = utf8Boundary(buf, maxLineBytes);
      out.push({ text: buf.toString("utf8", 0, cut), cut: true });
      pending = [buf.subarray(cut)];
      pendingLen = buf.length - cut;
    }
  };
  return {
    push(chunk) {
      const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      const out: SplitLine[] = [];
      let start = 0;
      for (let nl = bytes.indexOf(0x0a, start); nl >= 0; nl = bytes.indexOf(0x0a, start)) {
        append(bytes.subarray(start, nl), out);
        out.push({ text: decodeLine(take()), cut: false });
        start = nl + 1;
      }
      append(bytes.subarray(start), out);
      return out;
    },
    flush() {
      return pendingLen === 0 ? [] : [{ text: decodeLine(take()), cut: false }];
    },
  };
}

/** Strips one trailing `\r` (CRLF line ends) and decodes. */
function decodeLine(buf: Buffer): string {
  const end = buf.length > 0 && buf[buf.length - 1] === 0x0d ? buf.length - 1 : buf.length;
  return buf.toString("utf8", 0, end);
}

/**
 * The largest cut point <= limit that does not fall inside a UTF-8 sequence: back up over at
 * most 3 continuation bytes (10xxxxxx). Invalid input (more continuation bytes) cuts at limit.
 */
export function utf8Boundary(buf: Uint8Array, limit: number): number {
  for (let i = limit; i > limit - 4 && i > 0; i -= 1) {
    if (((buf[i] ?? 0) & 0xc0) !== 0x80) return i;
  }
  return limit;
}

/** Keeps one splitter per stream so stdout and stderr partial lines never mix. */
export interface OutputSplitter {
  push(stream: "stdout" | "stderr", chunk: Uint8Array): OutputLine[];
  /** Final partial lines, stdout first. */
  flush(): OutputLine[];
}

export function createOutputSplitter(maxLineBytes: number = DEFAULT_MAX_LINE_BYTES): OutputSplitter {
  const splitters = { stdout: createLineSplitter(maxLineBytes), stderr: createLineSplitter(maxLineBytes) };
  const tag = (stream: "stdout" | "stderr", lines: SplitLine[]): OutputLine[] => lines.map((l) => ({ stream, ...l }));
  return {
    push: (stream, chunk) => tag(stream, splitters[stream].push(chunk)),
    flush: () => [...tag("stdout", splitters.stdout.flush()), ...tag("stderr", splitters.stderr.flush())],
  };
}
