/**
 * Prometheus text exposition format 0.0.4: metric families (HELP, TYPE, then their samples),
 * label values escaped (backslash, double quote, line feed), values as Go's strconv prints
 * them for the cases that occur here (integers, decimals, +Inf). Label sets are rendered once
 * (`labelPairs`) and reused: a scrape of thousands of series builds strings, not objects.
 */
export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type Labels = Readonly<Record<string, string>>;

export function escapeLabelValue(v: string): string {
  return /[\\"\n]/.test(v) ? v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n") : v;
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

export function formatValue(v: number): string {
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  if (Number.isNaN(v)) return "NaN";
  return String(v);
}

/** `a="x",b="y"`: the inside of a label set's braces, values escaped. */
export function labelPairs(labels: Labels): string {
  let out = "";
  for (const k in labels) out += `${out === "" ? "" : ","}${k}="${escapeLabelValue(labels[k]!)}"`;
  return out;
}

/** One sample line: `name{pairs} value` (no braces without labels). */
export function sampleLine(name: string, pairs: string, value: number): string {
  return `${pairs === "" ? name : `${name}{${pairs}}`} ${formatValue(value)}\n`;
}

export interface Family {
  readonly name: string;
  readonly help: string;
  readonly type: "counter" | "gauge" | "histogram";
  /** The family's sample lines, each ending with a line feed. */
  readonly lines: string;
}

/** The exposition text of these families, in order; a family without samples is still described. */
export function renderFamilies(families: readonly Family[]): string {
  let out = "";
  for (const f of families) out += `# HELP ${f.name} ${escapeHelp(f.help)}\n# TYPE ${f.name} ${f.type}\n${f.lines}`;
  return out;
}
