import type { RunRecorder } from "../core/run-ports.js";
import type { CompleteRun, NewRun } from "../core/run-record.js";
import type { HistoryStore, RecordWrite } from "../core/history-store.js";

export interface TurnRecorder extends RunRecorder {
  /** Commits what is pending now, writes held since a failure first (the daemon calls it before closing the history). */
  flush(): Promise<void>;
  /** Writes held since a failed commit, waiting for the history to be writable again. */
  readonly held: number;
}

/** A write and who waits for its answer (a begun record's id, a final record's id, a finish). */
type Write = RecordWrite & { readonly settle?: Settle };

type Settle = { resolve(id: number | null): void; reject(err: Error): void };

export interface TurnRecorderOptions {
  /** How often held writes are tried again. @default 5 s */
  readonly retryMs?: number;
  /** Called once the held writes are committed, with their count. */
  readonly onRecovered?: (count: number) => void;
  /** Most writes held; beyond, the oldest are dropped (and counted in onError's message). @default 100,000 */
  readonly maxHeld?: number;
}

export const RETRY_MS = 5_000;

/**
 * The daemon's recorder: the record writes of one event-loop turn (records begun, tasks'
 * pids, outcomes) are committed together at the end of the turn, so in a burst one commit
 * serves every run that started, spawned or ended in that turn, instead of one commit each.
 *
 * Invariants:
 * - a begun record's id (or null: the slot already has a record) is known only once the turn's
 *   transaction has committed, and the run starts only then: no task ever runs without a
 *   committed record. A crash before the commit leaves no record and nothing started;
 * - writes are applied in call order, so a record's updates follow its begin;
 * - a pid or an outcome is at most one turn late, while the history can be written;
 * - a failed commit (a full disk) rejects the turn's begins, and keeps every decision: the
 *   updates (pids, outcomes), the refusals (`record`), and for each refused begin of a
 *   schedule slot a `missed` record saying why it did not run. They are held in order and
 *   committed, before anything newer, as soon as a commit succeeds (tried every `retryMs`);
 *   `onError` reports the first failure of each such period, `onRecovered` its end.
 */
export function createTurnRecorder(store: HistoryStore, onError: (err: Error, ids: number[]) => void, opts: TurnRecorderOptions = {}): TurnRecorder {
  const maxHeld = opts.maxHeld ?? 100_000;
  let pending: Write[] = [];
  let held: Write[] = [];
  let droppedHeld = 0;
  let scheduled = false;
  let retry: NodeJS.Timeout | null = null;
  // Commits run one at a time, in order: a turn's writes are never interleaved with the next's.
  let committing: Promise<void> = Promise.resolve();

  const armRetry = (): void => {
    if (retry !== null) return;
    retry = setTimeout(() => {
      retry = null;
      void flush();
    }, opts.retryMs ?? RETRY_MS);
    retry.unref();
  };

  const hold = (writes: Write[], err: Error): void => {
    const first = held.length === 0;
    held.push(...writes);
    if (held.length > maxHeld) droppedHeld += held.splice(0, held.length - maxHeld).length;
    armRetry();
    if (!first) return;
    const ids = [...new Set(writes.flatMap((w) => (w.kind === "pid" || w.kind === "finish" ? [w.id] : [])))];
    const drops = droppedHeld > 0 ? `; ${droppedHeld} older write(s) dropped` : "";
    onError(new Error(`${err.message} (record writes kept and retried${drops})`, { cause: err }), ids);
  };

  const commitTurn = async (): Promise<void> => {
    scheduled = false;
    if (pending.length === 0 && held.length === 0) return;
    const fresh = pending;
    pending = [];
    const retried = held.length;
    const batch = [...held, ...fresh];
    let ids: Array<number | null>;
    try {
      ids = await store.commit(batch.map(({ settle: _, ...write }) => write));
    } catch (e) {
      const err = e as Error;
      const keep: Write[] = [];
      for (const w of fresh) {
        const { settle, ...write } = w;
        if (write.kind !== "begin") keep.push(write);
        else if (write.run.trigger === "schedule") keep.push({ kind: "record", run: missed(write.run, err) });
        if (write.kind === "begin") settle?.reject(err);
        else settle?.resolve(null); // held: committed later, its id not known now
      }
      hold(keep, err);
      return;
    }
    held = held.slice(retried);
    if (retried > 0) opts.onRecovered?.(retried);
    batch.forEach((w, i) => w.settle?.resolve(ids[i] ?? null));
  };

  const flush = (): Promise<void> => (committing = committing.then(commitTurn));

  const add = (w: Write): void => {
    pending.push(w);
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => void flush());
  };

  const awaited = (w: RecordWrite): Promise<number | null> => new Promise((resolve, reject) => add({ ...w, settle: { resolve, reject } }));

  return {
    begin: (run, logFileFor) => awaited({ kind: "begin", run, logFileFor }),
    record: (run) => awaited({ kind: "record", run }),
    setPid: (id, pid, pidStartTime) => add({ kind: "pid", id, pid, pidStartTime }),
    // An outcome is queued, not waited for: it is committed with its turn (or held and retried),
    // and the run's slot is free at once; the daemon flushes before it closes the history.
    finish: async (id, outcome) => add({ kind: "finish", id, outcome }),
    flush,
    get held() {
      return held.length;
    },
  };
}

/** The record a schedule slot gets when its run could not be recorded, so it did not start. */
function missed(run: NewRun, err: Error): CompleteRun {
  return { ...run, status: "missed", endedAt: run.startedAt, reason: `not run: its record could not be written (${err.message})` };
}
