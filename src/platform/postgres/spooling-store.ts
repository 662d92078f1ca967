import { randomUUID } from "node:crypto";
import type { HistoryStore, RecordWrite, SpoolEvents, StoreHealth } from "../../core/history-store.js";
import type { RunOutcome } from "../../core/run-record.js";
import { StoreUnreachableError } from "../../history/errors.js";
import { LastSlots } from "../../history/last-slots.js";
import { foldSpool, provisionalIds, spooledCount, type SpoolEntry } from "../../history/spool.js";
import type { SpoolFile } from "./spool-file.js";
import type { PostgresHistory } from "./store.js";

export interface SpoolingOptions {
  readonly url: string;
  /** The URL, password masked, for messages. */
  readonly where: string;
  readonly spool: SpoolFile;
  readonly events: SpoolEvents;
  /** How often, while degraded, the server is tried again. */
  readonly probeMs: number;
  readonly now: () => number;
  readonly open: (url: string) => Promise<PostgresHistory>;
}

const unreachable = (e: unknown): e is StoreUnreachableError => e instanceof StoreUnreachableError;

/**
 * The daemon's PostgreSQL history: while the server cannot be reached (design §13), it is
 * `degraded`: record writes go to the spool file (synced to disk), the daemon's reads of its
 * tasks' last slots are answered from what this process saw and wrote (LastSlots), and every
 * `probeMs` the server is tried again; once it answers, the spool is replayed in order, in one
 * transaction, then removed. A spool left by an earlier daemon is replayed when this one opens.
 *
 * Invariants: writes are applied one call at a time, in call order (a replay is one of them);
 * every record is written with a key (replay recognises it); a write is never both lost and
 * acknowledged: it is in the store's committed transaction or in the synced spool.
 */
export async function openSpoolingHistory(o: SpoolingOptions): Promise<HistoryStore> {
  let inner: PostgresHistory | null = null;
  let reason: string | null = null;
  let pending: SpoolEntry[] = o.spool.read();
  let spooled = spooledCount(foldSpool(pending));
  const spooledSlots = new Set<string>();
  for (const e of pending) if (e.op === "insert") addSlot(spooledSlots, e.run);
  const slots = new LastSlots();
  const nextId = provisionalIds(o.now);
  /** Provisional ids of replayed records → their store ids (null: the slot had another record). */
  const replayed = new Map<number, number | null>();
  let probe: NodeJS.Timeout | null = null;
  let probing = false;
  let lastReplayError = "";
  let tail: Promise<unknown> = Promise.resolve();

  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const out = tail.then(work);
    tail = out.catch(() => undefined);
    return out;
  };

  const degrade = (e: StoreUnreachableError): void => {
    if (reason !== null) return;
    reason = e.message;
    o.events.degraded(reason, o.spool.path);
    probe = setInterval(() => void retry(), o.probeMs);
    probe.unref();
  };

  const replay = async (store: PostgresHistory): Promise<void> => {
    const count = spooled;
    const r = await store.replay(foldSpool(pending));
    o.spool.clear();
    pending = [];
    spooled = 0;
    spooledSlots.clear();
    for (const [from, to] of r.ids) replayed.set(from, to);
    slots.renamed(r.ids);
    if (probe !== null) clearInterval(probe);
    probe = null;
    const was = reason;
    reason = null;
    if (was !== null || count > 0) o.events.recovered({ spooled: count, inserted: r.inserted, known: r.known, taken: r.taken }, o.spool.path);
  };

  /** While degraded: is the server back? Then replay (after the writes already queued). */
  const retry = async (): Promise<void> => {
    if (probing || reason === null) return;
    probing = true;
    try {
      // Connecting is done outside the write queue: a slow attempt does not hold the writes up.
      if (inner === null) inner = await o.open(o.url);
      else await inner.ping();
      await serial(() => replay(inner!));
    } catch (e) {
      const text = (e as Error).message;
      if (!unreachable(e) && text !== lastReplayError) o.events.replayFailed(text, o.spool.path);
      lastReplayError = unreachable(e) ? "" : text;
    } finally {
      probing = false;
    }
  };

  /** A write's ids as the store knows them now; null when it is moot (its record's slot had another record). */
  const resolved = (w: RecordWrite): RecordWrite | null => {
    if (w.kind === "begin" || w.kind === "record") return w.key !== undefined ? w : { ...w, key: randomUUID() };
    const id = w.id < 0 ? replayed.get(w.id) : w.id;
    if (id === null) return null;
    return id === undefined ? w : { ...w, id };
  };

  /** Entries into the spool file (synced) and the count. */
  const spoolAppend = (entries: SpoolEntry[]): void => {
    o.spool.append(entries);
    pending.push(...entries);
    for (const e of entries) if (e.op === "insert") addSlot(spooledSlots, e.run);
    // Counted again only when a record of the store is changed for the first time (rare): else one more per insert.
    spooled += entries.filter((e) => e.op === "insert").length;
    if (entries.some((e) => e.op !== "insert" && e.id > 0)) spooled = spooledCount(foldSpool(pending));
  };

  /** The writes into the spool (synced) with provisional ids for new records. */
  const toSpool = (writes: readonly (RecordWrite | null)[]): Array<number | null> => {
    const entries: SpoolEntry[] = [];
    const ids: Array<number | null> = [];
    for (const w of writes) {
      let id: number | null = null;
      if (w?.kind === "begin" || w?.kind === "record") {
        const run = w.kind === "begin" ? w.run : w.run;
        const slot = slotOf(run);
        if (slot === null || !spooledSlots.has(slot)) {
          id = nextId();
          const logged = w.kind === "begin" && w.logFileFor !== undefined ? { ...run, logFile: w.logFileFor(id) } : run;
          entries.push({ op: "insert", id, key: w.key!, run: logged, final: w.kind === "record" });
        }
      } else if (w?.kind === "pid") entries.push({ op: "pid", id: w.id, pid: w.pid, pidStartTime: w.pidStartTime });
      else if (w?.kind === "finish") entries.push({ op: "finish", id: w.id, outcome: w.outcome });
      ids.push(id);
    }
    spoolAppend(entries);
    writes.forEach((w, i) => noteWrite(w, ids[i] ?? null));
    return ids;
  };

  const noteWrite = (w: RecordWrite | null, id: number | null): void => {
    if ((w?.kind === "begin" || w?.kind === "record") && id !== null) slots.wrote(id, w.run, w.kind === "record" ? w.run : null);
    if (w?.kind === "finish") slots.ended(w.id, w.outcome);
  };

  const commit = (writes: readonly RecordWrite[]): Promise<Array<number | null>> =>
    serial(async () => {
      const ready = writes.map(resolved);
      if (reason === null && inner !== null) {
        const live = ready.filter((w): w is RecordWrite => w !== null);
        try {
          const got = await inner.commit(live);
          const ids = ready.map((w) => (w === null ? null : got.shift() ?? null));
          ready.forEach((w, i) => noteWrite(w, ids[i] ?? null));
          return ids;
        } catch (e) {
          if (!unreachable(e)) throw e;
          degrade(e);
        }
      }
      return toSpool(ready);
    });

  /** A finish or an interruption: in the store (true when the record was in flight), or spooled (true). */
  const end = (id: number, outcome: RunOutcome, direct: (s: PostgresHistory, id: number) => Promise<boolean>): Promise<boolean> =>
    serial(async () => {
      const w = resolved({ kind: "finish", id, outcome });
      if (w === null || w.kind !== "finish") return false;
      if (reason === null && inner !== null) {
        try {
          const done = await direct(inner, w.id);
          if (done) slots.ended(w.id, outcome);
          return done;
        } catch (e) {
          if (!unreachable(e)) throw e;
          degrade(e);
        }
      }
      if (outcome.status === "interrupted" && outcome.reason !== null && outcome.reason !== undefined) {
        spoolAppend([{ op: "interrupt", id: w.id, reason: outcome.reason, endedAt: outcome.endedAt }]);
        slots.ended(w.id, outcome);
      } else toSpool([w]);
      return true;
    });

  /** A read of the daemon's: from the store while it answers, else from what is known here. */
  const read = async <T>(fromStore: (s: PostgresHistory) => Promise<T>, known: () => T, saw: (v: T) => void): Promise<T> => {
    if (reason === null && inner !== null) {
      try {
        const v = await fromStore(inner);
        saw(v);
        return v;
      } catch (e) {
        if (!unreachable(e)) throw e;
        degrade(e);
      }
    }
    return known();
  };

  /** Other reads need the store: while degraded they fail, saying where the records are. */
  const store = (): PostgresHistory => {
    if (reason === null && inner !== null) return inner;
    throw new StoreUnreachableError(`${reason ?? `history store ${o.where} cannot be reached`}; ${spooled} record(s) wait in the spool ${o.spool.path}`);
  };

  try {
    inner = await o.open(o.url);
    if (pending.length > 0) await replay(inner);
  } catch (e) {
    if (!unreachable(e)) {
      if (inner === null) throw e;
      o.events.replayFailed((e as Error).message, o.spool.path);
    }
    degrade(unreachable(e) ? e : new StoreUnreachableError((e as Error).message));
  }

  const health = (): StoreHealth => ({ kind: "postgresql", status: reason === null ? "ok" : "degraded", spooled, spool: o.spool.path, reason });
  return {
    begin: async (run, logFileFor) => (await commit([{ kind: "begin", run, logFileFor }]))[0] ?? null,
    setPid: async (id, pid, pidStartTime) => void (await commit([{ kind: "pid", id, pid, pidStartTime }])),
    finish: (id, outcome) => end(id, outcome, (s, sid) => s.finish(sid, outcome)),
    record: async (run) => (await commit([{ kind: "record", run }]))[0] ?? null,
    commit,
    get: async (id) => store().get(id),
    query: async (q) => store().query(q),
    lastRun: async (svc, rid, opts) => store().lastRun(svc, rid, opts),
    lastScheduled: (svc, rid) => read((s) => s.lastScheduled(svc, rid), () => slots.lastScheduled(svc, rid), (v) => slots.sawLast(svc, rid, v)),
    nextAttempt: (svc, rid, at) => read((s) => s.nextAttempt(svc, rid, at), () => slots.nextAttempt(svc, rid, at), () => undefined),
    lastAttempt: (svc, rid) => read((s) => s.lastAttempt(svc, rid), () => slots.lastAttempt(svc, rid), (v) => slots.sawAttempt(svc, rid, v)),
    inFlight: async () => store().inFlight(),
    markInterrupted: (id, why, endedAt) => end(id, { status: "interrupted", reason: why, endedAt }, (s, sid) => s.markInterrupted(sid, why, endedAt)),
    remove: async (id) => store().remove(id),
    prune: (policy, now, batchSize) => read((s) => s.prune(policy, now, batchSize), () => ({ deleted: 0, logFiles: [], more: false }), () => undefined),
    countByStatus: async (q) => store().countByStatus(q),
    runBuckets: async (q) => store().runBuckets(q),
    changeToken: async () => (reason === null && inner !== null ? inner.changeToken() : null),
    health,
    close: async () => {
      if (probe !== null) clearInterval(probe);
      await tail;
      await inner?.close();
    },
  };
}

type SlotRun = { trigger: string; svc: string; rid: string; scheduledFor?: number | null; attempt?: number };

/** A schedule record's slot (svc, rid, slot, attempt); null for a manual record. */
function slotOf(run: SlotRun): string | null {
  return run.trigger === "schedule" ? `${run.svc}\u0000${run.rid}\u0000${run.scheduledFor}\u0000${run.attempt ?? 1}` : null;
}

function addSlot(set: Set<string>, run: SlotRun): void {
  const slot = slotOf(run);
  if (slot !== null) set.add(slot);
}
