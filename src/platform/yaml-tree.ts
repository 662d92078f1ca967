import { createRequire } from "node:module";
import type * as Yaml from "yaml";
import type { SourceNode, TreeResult } from "../import/tree.js";

/**
 * YAML 1.2 (core schema: `on` stays a key, as Supertask reads it; JSON is YAML too) into
 * the line-numbered tree of import/tree.ts. The yaml package stays in node_modules and is
 * required on first use only, like pg: a command that reads no YAML never loads it.
 */
let lib: typeof Yaml | undefined;
function yaml(): typeof Yaml {
  return (lib ??= createRequire(import.meta.url)("yaml") as typeof Yaml);
}

export function parseYamlTree(text: string): TreeResult {
  const y = yaml();
  const counter = new y.LineCounter();
  const doc = y.parseDocument(text, { lineCounter: counter, uniqueKeys: true, prettyErrors: false, version: "1.2" });
  const first = doc.errors[0];
  if (first !== undefined) return { ok: false, line: counter.linePos(first.pos[0]).line, message: first.message.split("\n")[0]! };
  const lineOf = (node: { range?: readonly number[] | null } | null | undefined): number => counter.linePos(node?.range?.[0] ?? 0).line;
  const convert = (node: unknown): SourceNode => {
    if (y.isAlias(node)) return convert(node.resolve(doc));
    if (y.isMap(node)) {
      return {
        kind: "map",
        line: lineOf(node),
        entries: node.items.map((pair) => {
          const key = y.isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
          return { key, line: lineOf(pair.key as { range?: number[] }), value: pair.value === null ? { kind: "scalar", line: lineOf(pair.key as { range?: number[] }), value: null } : convert(pair.value) };
        }),
      };
    }
    if (y.isSeq(node)) return { kind: "seq", line: lineOf(node), items: node.items.map(convert) };
    if (y.isScalar(node)) {
      const v = node.value;
      const value = typeof v === "string" || typeof v === "number" || typeof v === "boolean" || v === null ? v : String(v);
      return { kind: "scalar", line: lineOf(node), value };
    }
    return { kind: "scalar", line: 1, value: null };
  };
  return { ok: true, root: doc.contents === null ? null : convert(doc.contents) };
}
