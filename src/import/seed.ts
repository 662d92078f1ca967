import type { Alert } from "../core/alert.js";
import type { Job, SourceFormat } from "./job.js";
import { planImport, type Change } from "./plan.js";
import { readJobs } from "./read.js";
import { detectFormat } from "./detect.js";
import type { TreeParser } from "./tree.js";

/**
 * A watched seed file's jobs as a service's text, edit after edit. Invariants:
 * - an edit is applied only when the whole file reads without error (and, checked by the
 *   caller through `accept`, the service text it gives is valid): otherwise the last good
 *   jobs stay, and `rejected` says why;
 * - an applied edit changes only the sections of jobs that changed: an unchanged job's
 *   section is the same text, so the daemon keeps its schedule state;
 * - jobs are never dropped because a file is empty, half written or gone: those are errors.
 */
export type SeedOutcome =
  | { readonly kind: "unchanged" }
  | { readonly kind: "applied"; readonly changes: readonly Change[]; readonly warnings: readonly Alert[] }
  | { readonly kind: "rejected"; readonly alerts: readonly Alert[] };

export class SeedState {
  private lastText: string | null = null;
  private good: string | null = null;
  private jobs: readonly Job[] = [];

  constructor(readonly file: string, private readonly format: SourceFormat | null, private readonly service: string) {}

  /** The service text of the last good jobs; null until a version of the file was good. */
  get text(): string | null {
    return this.good;
  }

  get count(): number {
    return this.jobs.length;
  }

  /**
   * Reads a version of the file. `accept` checks the service text it would give (validation)
   * and returns its errors; `text` null: the file could not be read (`why`).
   */
  update(text: string, parseTree: TreeParser, accept: (ini: string) => readonly Alert[]): SeedOutcome {
    if (text === this.lastText) return { kind: "unchanged" };
    this.lastText = text;
    const read = readJobs(this.format ?? detectFormat(this.file, text), text, this.file, parseTree);
    if (!read.ok) return { kind: "rejected", alerts: read.alerts };
    const header = [`Jobs of ${this.file}, scheduled by svcmgr daemon run --seed as service ${this.service}.`];
    const plan = planImport(this.good, this.file, read.jobs, this.file, header);
    if (!plan.ok) return { kind: "rejected", alerts: plan.alerts };
    const errors = accept(plan.text);
    if (errors.length > 0) return { kind: "rejected", alerts: errors };
    const changes = diffJobs(this.jobs, read.jobs);
    this.good = plan.text;
    this.jobs = read.jobs;
    return { kind: "applied", changes, warnings: read.alerts };
  }

  /** Forgets the last text read, so the same text is read again (after the file was gone). */
  reread(): void {
    this.lastText = null;
  }
}

/** What changed between two versions, by job id; a job that only moved in the file is unchanged. */
function diffJobs(before: readonly Job[], after: readonly Job[]): Change[] {
  const essence = (j: Job) => JSON.stringify({ ...j, line: 0, notes: j.notes.filter((n) => !/^crontab line: /.test(n)) });
  const old = new Map(before.map((j) => [j.id, essence(j)]));
  const changes: Change[] = after.map((j) => ({ rid: `task#${j.id}`, line: j.line, action: !old.has(j.id) ? "added" : old.get(j.id) === essence(j) ? "unchanged" : "updated" }));
  const kept = new Set(after.map((j) => j.id));
  for (const j of before) if (!kept.has(j.id)) changes.push({ rid: `task#${j.id}`, action: "removed" });
  return changes;
}
