import { closeSync, openSync, readSync } from "node:fs";

const IDS_PER_READ = 64;
let pool = Buffer.alloc(0);
let next = 0;

/**
 * A random UUID (version 4) for a run session. Read from /dev/urandom rather than through
 * node:crypto, whose import costs a few milliseconds on every CLI call; one read serves the
 * next 64 ids (a daemon starts many runs). Each id's bytes are used once.
 */
export function newSessionId(): string {
  if (next >= pool.length) refill();
  const b = Buffer.from(pool.subarray(next, next + 16));
  next += 16;
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function refill(): void {
  const b = Buffer.alloc(16 * IDS_PER_READ);
  const fd = openSync("/dev/urandom", "r");
  try {
    let got = 0;
    while (got < b.length) got += readSync(fd, b, got, b.length - got, null);
  } finally {
    closeSync(fd);
  }
  pool = b;
  next = 0;
}
