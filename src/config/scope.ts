import type { IniEntry, IniSection } from "./ini.js";
import { globToRegExp } from "./glob.js";

/**
 * Keyword scoping: `kw@<nodename>` > `kw@nodes` (this node is in nodes) > `kw@drpnodes`
 * (this node is in drpnodes) > `kw@encapnodes` (never: svcmgr has no encapsulation) > `kw`.
 */
export interface NodeContext {
  readonly nodename: string;
  /** `DEFAULT.nodes` (names or globs). */
  readonly nodes: readonly string[];
  /** `DEFAULT.drpnodes` plus `DEFAULT.drpnode`. */
  readonly drpnodes: readonly string[];
}

export function splitScopedKey(key: string): { option: string; scope: string | null } {
  const at = key.indexOf("@");
  return at < 0 ? { option: key, scope: null } : { option: key.slice(0, at), scope: key.slice(at + 1) };
}

export function nodeMatches(nodename: string, patterns: readonly string[]): boolean {
  const short = nodename.split(".")[0]!;
  return patterns.some((p) => {
    const re = globToRegExp(p);
    return re.test(nodename) || re.test(short);
  });
}

/** The entry that gives `option` its value on this node, or undefined. */
export function resolveScoped(section: IniSection, option: string, node: NodeContext): IniEntry | undefined {
  if (!section.scoped) return section.byKey.get(option);
  const byKey = (key: string) => section.byKey.get(key);
  const short = node.nodename.split(".")[0]!;
  return (
    byKey(`${option}@${node.nodename}`) ??
    (short !== node.nodename ? byKey(`${option}@${short}`) : undefined) ??
    onlyIf(byKey(`${option}@nodes`), () => nodeMatches(node.nodename, node.nodes)) ??
    onlyIf(byKey(`${option}@drpnodes`), () => nodeMatches(node.nodename, node.drpnodes)) ??
    byKey(option)
  );
}

/** `entry` when it exists and `applies()`; the node patterns are matched only for a scoped key that is there. */
function onlyIf(entry: IniEntry | undefined, applies: () => boolean): IniEntry | undefined {
  return entry !== undefined && applies() ? entry : undefined;
}
