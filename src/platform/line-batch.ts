/**
 * Lines gathered during one turn of the event loop and written together at its end, so a
 * burst of log lines costs one write, not one per line. A batch is flushed in the check phase
 * of the turn it was started in (setImmediate), when its owner flushes or closes, and at
 * process exit; only a SIGKILL within the turn can lose it. A batch that reaches
 * FLUSH_AT_CHARS is written at once, so a task printing megabytes in one turn does not
 * make the agent hold them.
 */
export interface LineBatch {
  push(line: string): void;
  /** Writes what is pending now. */
  flush(): void;
}

const FLUSH_AT_CHARS = 64 * 1024;
const dirty = new Set<LineBatch>();
let exitHooked = false;

function flushAll(): void {
  for (const batch of dirty) batch.flush();
}

export function lineBatch(writeLines: (lines: string[]) => void): LineBatch {
  let pending: string[] = [];
  let pendingChars = 0;
  const batch: LineBatch = {
    push(line) {
      if (pending.length === 0) schedule(batch);
      pending.push(line);
      pendingChars += line.length;
      if (pendingChars >= FLUSH_AT_CHARS) batch.flush();
    },
    flush() {
      dirty.delete(batch);
      if (pending.length === 0) return;
      const lines = pending;
      pending = [];
      pendingChars = 0;
      writeLines(lines);
    },
  };
  return batch;
}

function schedule(batch: LineBatch): void {
  if (dirty.size === 0) setImmediate(flushAll);
  dirty.add(batch);
  if (!exitHooked) {
    exitHooked = true;
    process.once("exit", flushAll);
  }
}
