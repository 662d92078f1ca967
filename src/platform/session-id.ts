import { closeSync, openSync, readSync } from "node:fs";

/**
 * A random UUID (version 4) for a run session. Read from /dev/urandom rather than through
 * node:crypto, whose import costs a few milliseconds on every CLI call.
 */
export function newSessionId(): string {
  const b = Buffer.alloc(16);
  const fd = openSync("/dev/urandom", "r");
  try {
    readSync(fd, b, 0, 16, null);
  } finally {
    closeSync(fd);
  }
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
