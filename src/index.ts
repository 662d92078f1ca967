/**
 * svcmgr's library surface: what tests and tools import from "svcmgr".
 */
export { SvcmgrError, UsageError, ConfigError, NotFoundError, ActionError } from "./core/errors.js";
export type { Alert } from "./core/alert.js";
export { formatAlert } from "./core/alert.js";
export type { Schedule, ScheduleOptions, ScheduleKind, PlannedRun, CheckResult, DstNote } from "./schedule/types.js";
