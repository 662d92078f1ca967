import type { Alert } from "../core/alert.js";
import type { Job } from "./job.js";

/** Collects an import's problems, each tied to the source file and a line. */
export class Problems {
  readonly alerts: Alert[] = [];
  constructor(readonly file: string) {}

  error(line: number | undefined, message: string): void {
    this.alerts.push({ level: "error", file: this.file, ...(line === undefined ? {} : { line }), message });
  }

  warning(line: number | undefined, message: string): void {
    this.alerts.push({ level: "warning", file: this.file, ...(line === undefined ? {} : { line }), message });
  }

  get failed(): boolean {
    return this.alerts.some((a) => a.level === "error");
  }
}

/** The jobs read (null: refused, already reported), each id once: a second use is an error at its line. */
export function uniqueIds(read: readonly (Job | null)[], what: string, problems: Problems): Job[] {
  const seen = new Map<string, number>();
  const jobs: Job[] = [];
  for (const job of read) {
    if (job === null) continue;
    const first = seen.get(job.id);
    if (first !== undefined) problems.error(job.line, `duplicate ${what} id "${job.id}": first used at line ${first}`);
    else {
      seen.set(job.id, job.line);
      jobs.push(job);
    }
  }
  return jobs;
}
