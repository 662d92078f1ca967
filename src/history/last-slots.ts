import { runRecord, type CompleteRun, type NewRun, type RunOutcome, type RunRecord } from "../core/run-record.js";

/**
 * What the daemon reads of each task's schedule history (its newest slot, its newest slot's
 * latest attempt), kept from the answers of the store and from the records written since: the
 * answers given while the store cannot be reached. Invariant: for every task seen, `last` and
 * `attempt` are at least as new as what the store held when last read, plus every record
 * written through this process since.
 */
export class LastSlots {
  private readonly tasks = new Map<string, { last: number | null; attempt: RunRecord | null }>();
  /** The task of each record that is some task's latest attempt. */
  private readonly attemptTask = new Map<number, string>();

  /** The store answered `lastScheduled`. */
  sawLast(svc: string, rid: string, at: number | null): void {
    const t = this.task(svc, rid);
    if (at !== null && (t.last === null || at > t.last)) t.last = at;
  }

  /** The store answered `lastAttempt`. */
  sawAttempt(svc: string, rid: string, rec: RunRecord | null): void {
    if (rec !== null) this.offer(rec);
  }

  /** A record was written (begun: `outcome` null; or final). Only schedule records count. */
  wrote(id: number, run: NewRun | CompleteRun, outcome: RunOutcome | null): void {
    if (run.trigger !== "schedule" || run.scheduledFor === null || run.scheduledFor === undefined) return;
    this.offer(outcome === null ? inFlightRecord(id, run) : runRecord(id, run, outcome));
  }

  /** A record became final (finish, or interrupted). */
  ended(id: number, outcome: RunOutcome): void {
    const key = this.attemptTask.get(id);
    const t = key === undefined ? undefined : this.tasks.get(key);
    const rec = t?.attempt;
    if (t === undefined || rec === null || rec === undefined || rec.id !== id || rec.status !== "running") return;
    t.attempt = {
      ...rec, status: outcome.status, endedAt: outcome.endedAt, durationMs: outcome.endedAt - rec.startedAt,
      exitCode: outcome.exitCode ?? null, signal: outcome.signal ?? null, reason: outcome.reason ?? null,
    };
  }

  /** Records got their store ids (a replay): provisional id → store id. */
  renamed(ids: ReadonlyMap<number, number | null>): void {
    for (const [from, to] of ids) {
      const key = this.attemptTask.get(from);
      if (key === undefined) continue;
      this.attemptTask.delete(from);
      const t = this.tasks.get(key)!;
      if (to === null || t.attempt === null) continue;
      t.attempt = { ...t.attempt, id: to };
      this.attemptTask.set(to, key);
    }
  }

  lastScheduled(svc: string, rid: string): number | null {
    return this.tasks.get(taskOf(svc, rid))?.last ?? null;
  }

  lastAttempt(svc: string, rid: string): RunRecord | null {
    return this.tasks.get(taskOf(svc, rid))?.attempt ?? null;
  }

  /** The attempt number a new record of this slot gets, as far as is known here. */
  nextAttempt(svc: string, rid: string, scheduledFor: number): number {
    const a = this.lastAttempt(svc, rid);
    return a !== null && a.scheduledFor === scheduledFor ? a.attempt + 1 : 1;
  }

  private task(svc: string, rid: string): { last: number | null; attempt: RunRecord | null } {
    const key = taskOf(svc, rid);
    let t = this.tasks.get(key);
    if (t === undefined) this.tasks.set(key, (t = { last: null, attempt: null }));
    return t;
  }

  /** Keeps `rec` as its task's latest attempt when it is newer (slot, then attempt). */
  private offer(rec: RunRecord): void {
    const t = this.task(rec.svc, rec.rid);
    const slot = rec.scheduledFor!;
    if (t.last === null || slot > t.last) t.last = slot;
    const cur = t.attempt;
    if (cur !== null && (cur.scheduledFor! > slot || (cur.scheduledFor === slot && cur.attempt > rec.attempt))) return;
    if (cur !== null) this.attemptTask.delete(cur.id);
    t.attempt = rec;
    this.attemptTask.set(rec.id, taskOf(rec.svc, rec.rid));
  }
}

function taskOf(svc: string, rid: string): string {
  return `${svc}\u0000${rid}`;
}

/** The record a store holds for a run begun and not yet ended. */
function inFlightRecord(id: number, run: NewRun | CompleteRun): RunRecord {
  const r = runRecord(id, run, { status: "interrupted", endedAt: run.startedAt });
  return { ...r, status: "running", endedAt: null, durationMs: null };
}
