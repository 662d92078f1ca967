/** The run history: records, store, output capture, run logs, crash recovery. */
export type {
  RunRecord, RunStatus, RunTrigger, FinalStatus, NewRun, RunOutcome, CompleteRun, OutputExcerpt,
} from "../core/run-record.js";
export { RUN_STATUSES, FINAL_STATUSES, RUN_TRIGGERS, NOT_RUN_STATUSES, isRunStatus } from "../core/run-record.js";
export { openHistory, BUSY_TIMEOUT_MS, type HistoryStore } from "../platform/sqlite/store.js";
export type { HistoryQuery } from "../platform/sqlite/query.js";
export { type PrunePolicy, type PruneBatchResult, DEFAULT_PRUNE_BATCH } from "../platform/sqlite/prune-sql.js";
export { pruneHistory, type PruneOptions, type PruneReport } from "./prune.js";
export { migrations, SCHEMA_VERSION, type Migration } from "../platform/sqlite/schema.js";
export { HistoryError } from "./errors.js";
export { HistoryDamagedError } from "./damage.js";
export { OutputCapture, DEFAULT_EXCERPT_BYTES, type CaptureOptions, type OutputStream } from "../run/output-capture.js";
export { openRunLog, runLogPath, type RunLog, type RunLogOptions } from "../platform/run-log.js";
export { isProcessAlive, processStartTime } from "../platform/liveness.js";
export { recoverInterrupted, settleOrphans, orphanExitReason, type Recovery, type IsAlive } from "./recover.js";
export { initiatingUser } from "./initiator.js";
