import { healthyStore, type HistoryStore, type RecordWrite } from "../../core/history-store.js";
import { openHistory, type SqliteHistory } from "./store.js";

/**
 * The embedded SQLite history behind the asynchronous HistoryStore interface. SQLite stays
 * synchronous underneath: each call does its work before it returns its settled promise, so
 * calls take effect in call order even when their promises are not awaited at once.
 */
export function asyncHistory(db: SqliteHistory): HistoryStore {
  const settle = <T>(work: () => T): Promise<T> => {
    try {
      return Promise.resolve(work());
    } catch (e) {
      return Promise.reject(e);
    }
  };
  // Writes through this connection: data_version counts only the other connections' commits.
  let ownWrites = 0;
  const write = <T>(work: () => T): Promise<T> => {
    ownWrites++;
    return settle(work);
  };
  const apply = (w: RecordWrite): number | null => {
    if (w.kind === "begin") return db.begin(w.run, w.logFileFor);
    if (w.kind === "record") return db.record(w.run);
    if (w.kind === "pid") db.setPid(w.id, w.pid, w.pidStartTime);
    else db.finish(w.id, w.outcome);
    return null;
  };
  return {
    begin: (run, logFileFor) => write(() => db.begin(run, logFileFor)),
    setPid: (id, pid, pidStartTime) => write(() => db.setPid(id, pid, pidStartTime)),
    finish: (id, outcome) => write(() => db.finish(id, outcome)),
    record: (run) => write(() => db.record(run)),
    commit: (writes) =>
      write(() => {
        const ids: Array<number | null> = [];
        db.transaction(() => {
          for (const w of writes) ids.push(apply(w));
        });
        return ids;
      }),
    get: (id) => settle(() => db.get(id)),
    query: (q) => settle(() => db.query(q)),
    lastRun: (svc, rid, opts) => settle(() => db.lastRun(svc, rid, opts)),
    lastScheduled: (svc, rid) => settle(() => db.lastScheduled(svc, rid)),
    nextAttempt: (svc, rid, scheduledFor) => settle(() => db.nextAttempt(svc, rid, scheduledFor)),
    lastAttempt: (svc, rid) => settle(() => db.lastAttempt(svc, rid)),
    inFlight: () => settle(() => db.inFlight()),
    markInterrupted: (id, reason, endedAt) => write(() => db.markInterrupted(id, reason, endedAt)),
    remove: (id) => write(() => db.remove(id)),
    prune: (policy, now, batchSize) => write(() => db.prune(policy, now, batchSize)),
    countByStatus: (q) => settle(() => db.countByStatus(q)),
    runBuckets: (q) => settle(() => db.runBuckets(q)),
    health: () => healthyStore("sqlite"),
    changeToken: () => settle(() => `${db.dataVersion()}.${ownWrites}`),
    close: () => settle(() => db.close()),
  };
}

/** Opens the SQLite history at `file` (see openHistory) as a HistoryStore. */
export function openHistoryStore(file: string, options: { verify?: boolean } = {}): HistoryStore {
  return asyncHistory(openHistory(file, options));
}
