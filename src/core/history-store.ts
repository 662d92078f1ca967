import type { CompleteRun, NewRun, RunOutcome, RunRecord, RunStatus, RunTrigger } from "./run-record.js";

/**
 * The run history as the rest of svcmgr sees it: asynchronous, so that an embedded SQLite file
 * and a PostgreSQL server implement the same interface (platform/sqlite/ is the embedded one).
 * Invariants every implementation keeps:
 * - a schedule slot (svc, rid, scheduledFor, attempt) has at most one record: `begin` and
 *   `record` answer null for a slot that already has one;
 * - a final record is never changed by `finish` or `markInterrupted` (they answer false);
 * - `commit` applies its writes in order, all of them or none.
 */
export interface HistoryStore {
  /**
   * Inserts an in-flight record. Null when that schedule slot already has a record.
   * With `logFileFor`, the record's output log path (derived from its id) is set with it.
   */
  begin(run: NewRun, logFileFor?: (id: number) => string): Promise<number | null>;
  setPid(id: number, pid: number, pidStartTime: number | null): Promise<void>;
  /** Makes an in-flight record final. False when the record is not in flight (already final). */
  finish(id: number, outcome: RunOutcome): Promise<boolean>;
  /** Inserts a record that is already final. Null when that schedule slot already has a record. */
  record(run: CompleteRun): Promise<number | null>;
  /** Several writes in one transaction; answer i is the id (or null) of write i when it inserts, else null. */
  commit(writes: readonly RecordWrite[]): Promise<Array<number | null>>;
  get(id: number): Promise<RunRecord | null>;
  /** Newest first (startedAt, then id). */
  query(q?: HistoryQuery): Promise<RunRecord[]>;
  /** The newest final record of a task; with `ranOnly`, skipped and missed records are passed over. */
  lastRun(svc: string, rid: string, opts?: { ranOnly?: boolean }): Promise<RunRecord | null>;
  /** The newest slot recorded for a task (any status), or null. */
  lastScheduled(svc: string, rid: string): Promise<number | null>;
  /** The attempt number a new record of this slot gets (1 when the slot has none). */
  nextAttempt(svc: string, rid: string, scheduledFor: number): Promise<number>;
  /** The latest attempt of the task's newest recorded slot, or null. */
  lastAttempt(svc: string, rid: string): Promise<RunRecord | null>;
  /** Records still `running`, oldest first. */
  inFlight(): Promise<RunRecord[]>;
  /** Final status `interrupted`, only if still in flight. False otherwise. */
  markInterrupted(id: number, reason: string, endedAt: number): Promise<boolean>;
  /**
   * Deletes one final record (`runs rm`): `removed`, `running` when it is still in flight
   * (never deleted: its run would write to nothing), `absent` when there is no such record.
   * The record's output file is the caller's to remove.
   */
  remove(id: number): Promise<RemoveResult>;
  /** One bounded batch; call again while `more`. Never deletes in-flight records. */
  prune(policy: PrunePolicy, now: number, batchSize?: number): Promise<PruneBatchResult>;
  countByStatus(q?: Pick<HistoryQuery, "svc" | "rid" | "since" | "until">): Promise<Record<RunStatus, number>>;
  /**
   * The runs (RAN_STATUSES; never running, skipped or missed records) of each task per
   * BUCKET_MS bucket of their start time, ordered by svc, rid, bucket: what the per-day
   * statistics are summed from (a bucket lies within one local day of any zone whose offset is
   * a whole number of quarter hours).
   */
  runBuckets(q?: Pick<HistoryQuery, "svc" | "rid" | "since" | "until">): Promise<RunBucket[]>;
  /** How the store is doing now (synchronous, never throws): for `/api/v1/health`, the daemon's status and log. */
  health(): StoreHealth;
  /**
   * A value that changes whenever a record is written, by this process or another (answers may
   * be cached while it stays the same); null when the store cannot tell cheaply (no caching).
   */
  changeToken(): Promise<string | null>;
  close(): Promise<void>;
}

export type RemoveResult = "removed" | "running" | "absent";

/** Width of a runBuckets bucket: a quarter hour (zones with :30 and :45 offsets included). */
export const BUCKET_MS = 15 * 60_000;

/** Statuses of a record whose run was asked for and ended: what the statistics count as runs. */
export const RAN_STATUSES = ["succeeded", "failed", "timed_out", "aborted", "interrupted"] as const satisfies readonly RunStatus[];
/** Of those, the failures. */
export const FAILED_STATUSES = ["failed", "timed_out", "aborted", "interrupted"] as const satisfies readonly RunStatus[];

/** A task's runs that started within [start, start + BUCKET_MS). */
export interface RunBucket {
  readonly svc: string;
  readonly rid: string;
  /** Epoch ms, a multiple of BUCKET_MS. */
  readonly start: number;
  readonly runs: number;
  /** Runs with a FAILED_STATUSES status. */
  readonly failures: number;
  /** Sum and maximum of the runs' durations (ms); 0 and null when none has one. */
  readonly durationMsSum: number;
  readonly durationMsMax: number | null;
  /** Runs with a duration (every ended run has one). */
  readonly timed: number;
}

/**
 * A store's health. `degraded`: the PostgreSQL server cannot be reached; the daemon goes on
 * running tasks and writes their records to a local spool file, replayed in order once the
 * server answers again. The embedded store is always `ok` with nothing spooled.
 */
export interface StoreHealth {
  readonly kind: "sqlite" | "postgresql";
  readonly status: "ok" | "degraded";
  /** Records waiting in the spool: those written while degraded, and store records changed meanwhile (0 when none). */
  readonly spooled: number;
  /** The spool file, when the store has one. */
  readonly spool: string | null;
  /** Why the store is degraded (the last connection error, password masked); null when ok. */
  readonly reason: string | null;
}

/** What a spooling store tells (the daemon logs it). `spool` is the spool file. */
export interface SpoolEvents {
  /** The store cannot be reached: writes go to the spool from now on. */
  degraded(reason: string, spool: string): void;
  /** The spool was replayed into the store (or the store answered again with nothing spooled). */
  recovered(result: SpoolReplay, spool: string): void;
  /** Replaying the spool failed for another reason than the server being away: tried again later. */
  replayFailed(reason: string, spool: string): void;
}

/** A replay's counts: records spooled; of them written now, found already written (by key), and whose slot had another record. */
export interface SpoolReplay {
  readonly spooled: number;
  readonly inserted: number;
  readonly known: number;
  readonly taken: number;
}

/** The health of a store that needs no spool: the embedded one, or a PostgreSQL store opened by the CLI. */
export function healthyStore(kind: StoreHealth["kind"]): StoreHealth {
  return { kind, status: "ok", spooled: 0, spool: null, reason: null };
}

/**
 * One write of a `commit`. `key`: a UUID the record keeps (PostgreSQL's `record_key`), by which
 * writing it again is recognised (the spool's replay); the embedded store has no use for it.
 */
export type RecordWrite =
  | { readonly kind: "begin"; readonly run: NewRun; readonly logFileFor?: (id: number) => string; readonly key?: string }
  | { readonly kind: "pid"; readonly id: number; readonly pid: number; readonly pidStartTime: number | null }
  | { readonly kind: "finish"; readonly id: number; readonly outcome: RunOutcome }
  | { readonly kind: "record"; readonly run: CompleteRun; readonly key?: string };

/** History filters; all optional, combined with AND. Times are epoch ms on `startedAt`. */
export interface HistoryQuery {
  readonly svc?: string;
  readonly rid?: string;
  readonly status?: RunStatus | readonly RunStatus[];
  readonly trigger?: RunTrigger;
  /** startedAt >= since */
  readonly since?: number;
  /** startedAt < until */
  readonly until?: number;
  /** At most this many records (newest first). */
  readonly limit?: number;
  /**
   * Keyset paging: only records after this one in newest-first order (startedAt, then id),
   * i.e. the page that follows the page whose last record this is.
   */
  readonly before?: { readonly startedAt: number; readonly id: number };
}

/** Retention. A record goes when either rule says so; in-flight records never go. */
export interface PrunePolicy {
  /**
   * Keep the newest N runs of each (svc, rid), and apart from them its newest N skipped or
   * missed records. Null: no count limit.
   */
  readonly keepPerTask: number | null;
  /** Drop records that started more than this many days ago. Null: no age limit. */
  readonly maxAgeDays: number | null;
}

export interface PruneBatchResult {
  readonly deleted: number;
  /** Full-output logs of the deleted records, for the caller to remove. */
  readonly logFiles: string[];
  /** True when this batch was full: more records may be due, call again. */
  readonly more: boolean;
}

export const DEFAULT_PRUNE_BATCH = 500;
