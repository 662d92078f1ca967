/**
 * A parsed YAML or JSON document as plain values that remember their line: what the Supertask
 * readers walk, so every problem they report names `file:line`. The platform builds it (the YAML
 * library is loaded there, lazily); everything here is pure.
 */
export type SourceNode = SourceMap | SourceSeq | SourceScalar;

export interface SourceMap {
  readonly kind: "map";
  readonly line: number;
  readonly entries: readonly { readonly key: string; readonly line: number; readonly value: SourceNode }[];
}

export interface SourceSeq {
  readonly kind: "seq";
  readonly line: number;
  readonly items: readonly SourceNode[];
}

export interface SourceScalar {
  readonly kind: "scalar";
  readonly line: number;
  readonly value: string | number | boolean | null;
}

/** A parsed document, or why the text is not one (a half-written file, a syntax error). */
export type TreeResult = { readonly ok: true; readonly root: SourceNode | null } | { readonly ok: false; readonly line: number; readonly message: string };

/** Parses YAML 1.2 (JSON included): the platform's implementation of this port. */
export type TreeParser = (text: string) => TreeResult;

/** The value under `key` of a map, or undefined. */
export function field(node: SourceMap, key: string): SourceNode | undefined {
  return node.entries.find((e) => e.key === key)?.value;
}

export function describeNode(node: SourceNode): string {
  if (node.kind === "map") return "a mapping";
  if (node.kind === "seq") return "a list";
  return node.value === null ? "empty" : `${typeof node.value} ${JSON.stringify(node.value)}`;
}
