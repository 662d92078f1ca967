import type { Alert } from "../core/alert.js";

/**
 * svcmgr's INI dialect (Python RawConfigParser behaviour, stricter on duplicates):
 * - `key = value` or `key : value`; keys are case-sensitive; no `%` interpolation;
 * - full-line `#` / `;` comments only: a `#` or `;` inside a value is part of the value;
 * - a line indented deeper than its key line continues the value (joined with "\n"),
 *   empty lines inside a value are kept, trailing empty lines are dropped;
 * - a duplicate section, or a duplicate key in one section, is an error naming both lines.
 * Every section and entry keeps its line numbers, so messages can say `file:line`.
 */

export interface IniEntry {
  /** The key as written, including any `@scope` suffix. */
  readonly key: string;
  readonly value: string;
  /** 1-based line of the key. */
  readonly line: number;
  /** 1-based last line of the value (continuations included). */
  readonly endLine: number;
}

export interface IniSection {
  readonly name: string;
  readonly line: number;
  readonly entries: readonly IniEntry[];
  /** The same entries by key (keys are unique in a section), for constant-time lookups. */
  readonly byKey: ReadonlyMap<string, IniEntry>;
  /** Whether any key carries an `@scope` suffix (when none does, a lookup is one `byKey` get). */
  readonly scoped: boolean;
}

export interface IniDocument {
  readonly file: string;
  readonly sections: readonly IniSection[];
}

interface MutableEntry {
  key: string;
  lines: string[];
  line: number;
  endLine: number;
  indent: number;
}

interface MutableSection {
  name: string;
  line: number;
  entries: MutableEntry[];
  /** Entries by key: duplicates are found without scanning the section (linear parsing). */
  byKey: Map<string, MutableEntry>;
}

const HEADER = /^\[(.+)\]$/;
const OPTION = /^([^=:]+?)\s*[=:]\s*(.*)$/;

function isComment(trimmed: string): boolean {
  return trimmed.startsWith("#") || trimmed.startsWith(";");
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

/** Parses INI text; never throws: problems come back as alerts, with every good line kept. */
export function parseIni(text: string, file: string): { doc: IniDocument; alerts: Alert[] } {
  const alerts: Alert[] = [];
  const sections = new Map<string, MutableSection>();
  let section: MutableSection | null = null;
  let entry: MutableEntry | null = null;
  const error = (line: number, message: string, extra: Partial<Alert> = {}) =>
    alerts.push({ level: "error", file, line, message, ...extra });

  const lines = text.split("\n");
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    const trimmed = line.trim();
    if (trimmed === "") {
      if (entry !== null) entry.lines.push("");
      return;
    }
    if (isComment(trimmed)) return;
    const indent = indentOf(line);
    if (entry !== null && indent > entry.indent) {
      entry.lines.push(trimmed);
      entry.endLine = lineNo;
      return;
    }
    entry = null;
    if (trimmed.startsWith("[")) {
      section = openSection(trimmed, lineNo, sections, error);
      return;
    }
    if (section === null) {
      error(lineNo, `"${trimmed}" is outside any section: start the file with a section header such as [DEFAULT] or [task#0]`);
      return;
    }
    entry = addEntry(section, trimmed, lineNo, indent, error);
  });
  return { doc: { file, sections: [...sections.values()].map(freezeSection) }, alerts };
}

function openSection(
  trimmed: string,
  lineNo: number,
  sections: Map<string, MutableSection>,
  error: (line: number, message: string, extra?: Partial<Alert>) => void,
): MutableSection {
  const m = HEADER.exec(trimmed);
  if (m === null) {
    error(lineNo, `unterminated section header "${trimmed}": expected [name]`);
    // Its lines go to a detached section: one error for the header, not one per line after it.
    return detachedSection(trimmed, lineNo);
  }
  const name = m[1]!.trim();
  const previous = sections.get(name);
  if (previous !== undefined) {
    error(lineNo, `duplicate section [${name}]: first defined at line ${previous.line}`, { section: name });
    // Keep reading its lines into a detached section so they raise no further errors.
    return detachedSection(name, lineNo);
  }
  const created = detachedSection(name, lineNo);
  sections.set(name, created);
  return created;
}

function detachedSection(name: string, line: number): MutableSection {
  return { name, line, entries: [], byKey: new Map() };
}

function addEntry(
  section: MutableSection,
  trimmed: string,
  lineNo: number,
  indent: number,
  error: (line: number, message: string, extra?: Partial<Alert>) => void,
): MutableEntry | null {
  const m = OPTION.exec(trimmed);
  if (m === null || m[1]!.trim() === "") {
    error(lineNo, `cannot parse "${trimmed}": expected "key = value"`, { section: section.name });
    return null;
  }
  const key = m[1]!.trim();
  const previous = section.byKey.get(key);
  if (previous !== undefined) {
    error(lineNo, `duplicate key "${key}": first set at line ${previous.line}`, { section: section.name, keyword: key });
  }
  const created: MutableEntry = { key, lines: [m[2]!.trim()], line: lineNo, endLine: lineNo, indent };
  // A duplicate stays detached: its continuation lines are consumed, its value is not used.
  if (previous === undefined) {
    section.entries.push(created);
    section.byKey.set(key, created);
  }
  return created;
}

function freezeSection(s: MutableSection): IniSection {
  const entries = s.entries.map(freezeEntry);
  const scoped = entries.some((e) => e.key.includes("@"));
  return { name: s.name, line: s.line, entries, byKey: new Map(entries.map((e) => [e.key, e])), scoped };
}

function freezeEntry(e: MutableEntry): IniEntry {
  const lines = e.lines;
  let end = lines.length;
  while (end > 1 && lines[end - 1] === "") end--;
  return { key: e.key, value: lines.slice(0, end).join("\n"), line: e.line, endLine: e.endLine };
}
