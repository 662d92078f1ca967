import { parseSchedule } from "../schedule/index.js";
import type { Job } from "./job.js";
import type { Problems } from "./problems.js";

/**
 * Every job's schedule and time zone as svcmgr's engine reads them: a job that svcmgr could
 * not schedule is an error at its source line, not a surprise at run time. Returns the jobs
 * that pass.
 */
export function checkSchedules(jobs: readonly Job[], problems: Problems): Job[] {
  return jobs.filter((job) => {
    if (job.schedule === "") return true;
    try {
      parseSchedule(job.schedule, { timezone: job.timezone ?? "UTC" });
      return true;
    } catch (e) {
      problems.error(job.line, `invalid cron "${job.schedule}"${job.timezone === undefined ? "" : ` in time zone ${job.timezone}`}: ${(e as Error).message}`);
      return false;
    }
  });
}
