/**
 * svcmgr's library surface: what tests and tools import from "svcmgr".
 */
export { SvcmgrError, UsageError, ConfigError, NotFoundError, ActionError } from "./core/errors.js";
export type { Alert } from "./core/alert.js";
export { formatAlert } from "./core/alert.js";
export { parseSchedule, lintSchedule, ScheduleSyntaxError, hostTimezone } from "./schedule/index.js";
export type { Schedule, ScheduleOptions, ScheduleKind, PlannedRun, CheckResult, DstNote, ScheduleWarning } from "./schedule/types.js";
export { parseIni } from "./config/ini.js";
export type { IniDocument, IniSection, IniEntry } from "./config/ini.js";
export { loadService } from "./config/load.js";
export { KEYWORDS } from "./config/keywords/index.js";
export type { Keyword, SectionKind } from "./config/keyword.js";
export { parseRequires } from "./config/requires.js";
export { parseRetcodes } from "./config/retcodes.js";
export { selectTasks, matchesTags } from "./task/select.js";
export { parseCommandLine } from "./run/command-line.js";
export { openHistoryStore } from "./platform/sqlite/history-store.js";
export type { HistoryStore, HistoryQuery } from "./core/history-store.js";
export type { RunRecord, RunStatus, RunTrigger } from "./core/run-record.js";
