/** Blocks the thread for `ms` (for short waits in synchronous code: locks, retries). */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
