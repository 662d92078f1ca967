import type { IniDocument } from "./ini.js";

/**
 * Edits INI text section by section and keeps everything else as written: other sections,
 * their comments, blank lines and order. A section's block is its header line through the
 * last line of its last entry (comments between them included); comments and blank lines
 * after that block belong to what follows. Pure: text in, text out.
 */
export interface SectionText {
  readonly name: string;
  /** Comment lines written right under the header (without the leading "# "). */
  readonly comments: readonly string[];
  readonly entries: readonly (readonly [string, string])[];
}

export interface IniEdit {
  /** Sections to write: replaced in place when present, appended otherwise. */
  readonly set: readonly SectionText[];
  /** Sections to delete. */
  readonly remove: readonly string[];
}

export interface Block {
  /** 1-based first and last line. */
  readonly start: number;
  readonly end: number;
}

/** Each section's block in `doc` (parsed from the same text). */
export function sectionBlocks(doc: IniDocument): Map<string, Block> {
  const blocks = new Map<string, Block>();
  for (const s of doc.sections) blocks.set(s.name, { start: s.line, end: Math.max(s.line, ...s.entries.map((e) => e.endLine)) });
  return blocks;
}

/** The lines of a section; a multi-line value continues on indented lines (an empty one stays empty). */
export function renderSection(section: SectionText): string[] {
  const lines = [`[${section.name}]`, ...section.comments.map((c) => (c === "" ? "#" : `# ${c}`))];
  for (const [key, value] of section.entries) {
    const [first, ...rest] = value.split("\n");
    lines.push(`${key} = ${first}`, ...rest.map((l) => (l === "" ? "" : `    ${l}`)));
  }
  return lines;
}

/** The lines of `text` in a block. */
export function blockLines(text: string, block: Block): string[] {
  return text.split("\n").slice(block.start - 1, block.end).map((l) => l.replace(/\r$/, ""));
}

/** Applies `edit` to `text` (whose parsed form is `doc`). */
export function editIni(text: string, doc: IniDocument, edit: IniEdit): string {
  const lines = text === "" ? [] : text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop(); // the final newline, put back below
  const blocks = sectionBlocks(doc);
  const splices: { block: Block; with: string[] }[] = [];
  const appended: string[][] = [];
  for (const s of edit.set) {
    const block = blocks.get(s.name);
    if (block === undefined) appended.push(renderSection(s));
    else splices.push({ block, with: renderSection(s) });
  }
  for (const name of edit.remove) {
    const block = blocks.get(name);
    if (block === undefined) continue;
    // The blank line that separated it from what follows goes with it.
    const end = lines[block.end] !== undefined && lines[block.end]!.trim() === "" ? block.end + 1 : block.end;
    splices.push({ block: { start: block.start, end }, with: [] });
  }
  for (const { block, with: replacement } of splices.sort((a, b) => b.block.start - a.block.start)) {
    lines.splice(block.start - 1, block.end - block.start + 1, ...replacement);
  }
  for (const section of appended) {
    if (lines.length > 0 && lines[lines.length - 1]!.trim() !== "") lines.push("");
    lines.push(...section);
  }
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === "") lines.pop();
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}
