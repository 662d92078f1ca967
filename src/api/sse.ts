/**
 * Streaming text: server-sent events and UTF-8 chunk boundaries, shared by the API's run log
 * and the web UI's live output.
 */

/** One SSE event; every line of `data` gets its own `data:` field (a newline cannot end the event). `id`: the byte offset after it. */
export function sseEvent(event: string, data: string, id?: number): string {
  const lines = data.split(/\r\n|\r|\n/);
  return `event: ${event}\n${id === undefined ? "" : `id: ${id}\n`}${lines.map((l) => `data: ${l}`).join("\n")}\n\n`;
}

/** Where the last complete UTF-8 character of `b` ends: a cut sequence waits for the next read. */
export function utf8Boundary(b: Buffer): number {
  const i = b.length;
  for (let back = 1; back <= 4 && i - back >= 0; back++) {
    const byte = b[i - back]!;
    if ((byte & 0xc0) === 0x80) continue;
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return need > back ? i - back : i;
  }
  return i;
}
