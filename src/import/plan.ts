import type { Alert } from "../core/alert.js";
import { blockLines, editIni, renderSection, sectionBlocks } from "../config/ini-edit.js";
import { parseIni } from "../config/ini.js";
import type { Job } from "./job.js";
import { isFromSource, jobSection } from "./render.js";

/**
 * What an import does to a service file: the new text and, per task, whether it is added,
 * updated, removed (imported from this source before, gone from it now) or unchanged.
 * Sections that did not come from this source, and everything outside the tasks' sections,
 * are kept as written. Importing the same source twice changes nothing the second time.
 */
export interface Change {
  readonly rid: string;
  readonly action: "added" | "updated" | "removed" | "unchanged";
  /** The job's line in the source (none for a removed task). */
  readonly line?: number;
}

export type Plan = { readonly ok: true; readonly text: string; readonly changes: readonly Change[] } | { readonly ok: false; readonly alerts: readonly Alert[] };

/** `existing`: the service file's text, or null when there is none yet; `header`: comment lines for a new file. */
export function planImport(existing: string | null, file: string, jobs: readonly Job[], source: string, header: readonly string[]): Plan {
  const text = existing ?? header.map((h) => `# ${h}`).join("\n") + (header.length > 0 ? "\n" : "");
  const { doc, alerts } = parseIni(text, file);
  const errors = alerts.filter((a) => a.level === "error");
  if (errors.length > 0) return { ok: false, alerts: errors };
  const blocks = sectionBlocks(doc);
  const changes: Change[] = [];
  const sections = jobs.map((job) => jobSection(job, source));
  const clashes: Alert[] = [];
  sections.forEach((section, i) => {
    const block = blocks.get(section.name);
    const line = jobs[i]!.line;
    if (block === undefined) changes.push({ rid: section.name, action: "added", line });
    else if (!isFromSource(blockLines(text, block), source)) {
      clashes.push({ level: "error", file, line: block.start, section: section.name, message: `[${section.name}] is already in ${file} and was not imported from ${source}: not overwritten (import into another service with --service NAME, or remove that section first)` });
    } else {
      const same = blockLines(text, block).join("\n") === renderSection(section).join("\n");
      changes.push({ rid: section.name, action: same ? "unchanged" : "updated", line });
    }
  });
  if (clashes.length > 0) return { ok: false, alerts: clashes };
  const wanted = new Set(sections.map((s) => s.name));
  const removed = [...blocks.entries()]
    .filter(([name, block]) => name.startsWith("task#") && !wanted.has(name) && isFromSource(blockLines(text, block), source))
    .map(([name]) => name);
  for (const rid of removed) changes.push({ rid, action: "removed" });
  return { ok: true, text: editIni(text, doc, { set: sections, remove: removed }), changes };
}
