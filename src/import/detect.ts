import type { SourceFormat } from "./job.js";

/**
 * A seed file's format when none is given: `.yaml`/`.yml` is a Supertask timetable; `.json`
 * is a legacy cronjobs.json when its text starts a list, else a timetable; anything else is a
 * crontab.
 */
export function detectFormat(file: string, text: string): SourceFormat {
  if (/\.ya?ml$/i.test(file)) return "supertask";
  if (/\.json$/i.test(file)) return text.trimStart().startsWith("[") ? "supertask-legacy" : "supertask";
  return "crontab";
}

/** The service name a job file gives when none is named: its file name without extension, made a valid name. */
export function serviceNameOf(file: string): string {
  const base = file.split("/").pop() ?? file;
  return base.replace(/\.(ya?ml|json|txt|cron|crontab)$/i, "").replace(/[^A-Za-z0-9_.-]+/g, "-").replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
}
