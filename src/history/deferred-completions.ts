import type { RunRecorder } from "../run/ports.js";
import type { RunOutcome } from "./record.js";
import type { HistoryStore } from "./store.js";

export interface DeferredCompletions extends RunRecorder {
  /** Commits what is pending now (the daemon calls it before closing the history). */
  flush(): void;
}

type Completion = { readonly id: number; readonly pid: number; readonly pidStartTime: number | null } | { readonly id: number; readonly outcome: RunOutcome };

/**
 * The daemon's recorder: the updates that complete an in-flight record (its task's pid, its
 * outcome) wait for the end of the event-loop turn and are committed together, so in a burst one
 * commit serves every run that spawned or ended in that turn, instead of one commit each.
 *
 * Invariants:
 * - records are begun (and refusals recorded) at once: a run starts only once its record is
 *   committed. The updates of one record are applied in call order;
 * - a completion is at most one turn late. A crash in between leaves the record in flight, with
 *   or without its pid, which recovery settles exactly as after a crash just before the update;
 * - a failed commit is reported through `onError` with the records it concerned; later turns
 *   go on.
 */
export function deferCompletions(store: HistoryStore, onError: (err: Error, ids: number[]) => void): DeferredCompletions {
  let pending: Completion[] = [];
  let scheduled = false;

  const flush = (): void => {
    scheduled = false;
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    try {
      store.transaction(() => {
        for (const c of batch) {
          if ("outcome" in c) store.finish(c.id, c.outcome);
          else store.setPid(c.id, c.pid, c.pidStartTime);
        }
      });
    } catch (e) {
      onError(e as Error, [...new Set(batch.map((c) => c.id))]);
    }
  };

  const defer = (c: Completion): void => {
    pending.push(c);
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  };

  return {
    begin: (run, logFileFor) => store.begin(run, logFileFor),
    record: (run) => store.record(run),
    setPid: (id, pid, pidStartTime) => defer({ id, pid, pidStartTime }),
    finish: (id, outcome) => defer({ id, outcome }),
    flush,
  };
}
