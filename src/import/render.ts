import { escapeReferences } from "../config/references.js";
import type { SectionText } from "../config/ini-edit.js";
import { quoteShellWord } from "../core/shlex.js";
import type { Job } from "./job.js";

/**
 * A job as a `[task#<id>]` section. The first comment line, `from <source>:<line>`, marks the
 * section as imported from that file: a later import of the same file updates it, or removes
 * it when the job is gone. Values are escaped so that svcmgr reads back exactly the source's
 * text (braces are not references).
 */
export function jobSection(job: Job, source: string): SectionText {
  const entries: [string, string][] = [["command", escapeReferences(job.command)]];
  entries.push(["schedule", job.schedule === "" ? "@0" : job.schedule]);
  if (job.timezone !== undefined) entries.push(["timezone", job.timezone]);
  if (job.environment.length > 0) entries.push(["environment", escapeReferences(job.environment.map(([n, v]) => quoteShellWord(`${n}=${v}`)).join(" "))]);
  if (job.user !== undefined) entries.push(["user", escapeReferences(job.user)]);
  if (job.disabled) entries.push(["disable", "true"]);
  if (job.description !== undefined && job.description.trim() !== "") entries.push(["comment", escapeReferences(job.description.replace(/\s+/g, " ").trim())]);
  return { name: `task#${job.id}`, comments: [`${MARK} ${source}:${job.line}`, ...job.notes.map((n) => n.replace(/\n/g, " "))], entries };
}

const MARK = "from";

/** Whether a section's lines carry the mark of `source`. */
export function isFromSource(lines: readonly string[], source: string): boolean {
  return lines.some((l) => l.trim().startsWith(`# ${MARK} ${source}:`));
}
