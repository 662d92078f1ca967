import type { Alert } from "../core/alert.js";
import { checkSchedules } from "./check.js";
import { readCrontab } from "./crontab.js";
import type { Job, SourceFormat } from "./job.js";
import { Problems } from "./problems.js";
import { readLegacy } from "./supertask-legacy.js";
import { readTimetable } from "./supertask.js";
import type { TreeParser } from "./tree.js";

/**
 * Reads a source file of any supported format into jobs. The file is judged as a whole: when
 * any alert is an error, `jobs` must not be applied (the caller writes nothing, or a seed keeps
 * its last good set).
 */
export interface ReadResult {
  readonly jobs: readonly Job[];
  readonly alerts: readonly Alert[];
  readonly ok: boolean;
}

export function readJobs(format: SourceFormat, text: string, file: string, parseTree: TreeParser): ReadResult {
  const problems = new Problems(file);
  let jobs: Job[];
  if (format === "crontab") jobs = readCrontab(text, problems);
  else {
    const tree = parseTree(text);
    if (!tree.ok) {
      problems.error(tree.line, `not valid ${format === "supertask" ? "YAML or JSON" : "JSON"} (half written?): ${tree.message}`);
      jobs = [];
    } else jobs = format === "supertask" ? readTimetable(tree.root, problems) : readLegacy(tree.root, problems);
  }
  jobs = checkSchedules(jobs, problems);
  return { jobs, alerts: problems.alerts, ok: !problems.failed };
}
