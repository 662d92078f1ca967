import type { RunRecorder } from "../run/ports.js";
import type { NewRun, RunOutcome } from "./record.js";
import type { HistoryStore } from "./store.js";

export interface TurnRecorder extends RunRecorder {
  begin(run: NewRun, logFileFor?: (id: number) => string): Promise<number | null>;
  /** Commits what is pending now (the daemon calls it before closing the history). */
  flush(): void;
}

type Write =
  | { readonly kind: "begin"; readonly run: NewRun; readonly logFileFor?: (id: number) => string; readonly settle: Settle }
  | { readonly kind: "pid"; readonly id: number; readonly pid: number; readonly pidStartTime: number | null }
  | { readonly kind: "finish"; readonly id: number; readonly outcome: RunOutcome };

type Settle = { resolve(id: number | null): void; reject(err: Error): void };

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
 * - a pid or an outcome is at most one turn late. A crash in between leaves the record in
 *   flight, with or without its pid, which recovery settles exactly as after a crash just
 *   before the update;
 * - refusals (`record`) are written at once;
 * - a failed commit rejects the turn's begins and reports the updates' records through
 *   `onError`; later turns go on.
 */
export function createTurnRecorder(store: HistoryStore, onError: (err: Error, ids: number[]) => void): TurnRecorder {
  let pending: Write[] = [];
  let scheduled = false;

  const flush = (): void => {
    scheduled = false;
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    const begun: Array<[Settle, number | null]> = [];
    try {
      store.transaction(() => {
        for (const w of batch) {
          if (w.kind === "begin") begun.push([w.settle, store.begin(w.run, w.logFileFor)]);
          else if (w.kind === "pid") store.setPid(w.id, w.pid, w.pidStartTime);
          else store.finish(w.id, w.outcome);
        }
      });
    } catch (e) {
      for (const w of batch) if (w.kind === "begin") w.settle.reject(e as Error);
      const updated = batch.flatMap((w) => (w.kind === "begin" ? [] : [w.id]));
      if (updated.length > 0) onError(e as Error, [...new Set(updated)]);
      return;
    }
    for (const [settle, id] of begun) settle.resolve(id);
  };

  const add = (w: Write): void => {
    pending.push(w);
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  };

  return {
    begin: (run, logFileFor) => new Promise((resolve, reject) => add({ kind: "begin", run, logFileFor, settle: { resolve, reject } })),
    record: (run) => store.record(run),
    setPid: (id, pid, pidStartTime) => add({ kind: "pid", id, pid, pidStartTime }),
    finish: (id, outcome) => add({ kind: "finish", id, outcome }),
    flush,
  };
}
