import type { ObjectPath } from "../core/object-path.js";
import { formatObjectPath } from "../core/object-path.js";
import { objectVarDir, type Paths } from "../core/paths.js";
import { compareRids } from "../core/rid.js";
import { closestNames } from "../core/suggest.js";
import type { IniDocument, IniEntry, IniSection } from "./ini.js";
import type { Keyword, SectionKind } from "./keyword.js";
import { findKeyword } from "./keywords/index.js";
import { convert } from "./converters.js";
import { evaluateReferences, type Expansion } from "./references.js";
import { nodeMatches, resolveScoped, type NodeContext } from "./scope.js";

/** What a section is, from its name: `DEFAULT`, `env`, `subset#task:g1`, `task#0`, `fs#data`… */
export type SectionClass =
  | { kind: SectionKind; rid: string; group: string; index: string }
  | { kind: "env" }
  | { kind: "unknown"; reason: string };

const RESOURCE_GROUPS = ["task", "fs", "ip", "app"] as const;

export function classifySection(name: string): SectionClass {
  if (name === "DEFAULT") return { kind: "DEFAULT", rid: "DEFAULT", group: "DEFAULT", index: "" };
  if (name === "env") return { kind: "env" };
  const subset = /^subset#(\w+):(.+)$/.exec(name);
  if (subset !== null) return { kind: "subset", rid: name, group: "subset", index: `${subset[1]}:${subset[2]}` };
  const m = /^([a-z]+)#(.+)$/.exec(name);
  if (m !== null && (RESOURCE_GROUPS as readonly string[]).includes(m[1]!)) {
    return { kind: m[1] as SectionKind, rid: name, group: m[1]!, index: m[2]! };
  }
  return { kind: "unknown", reason: unknownSectionReason(name) };
}

function suggestedSection(kind: string, tail: string): string {
  if (kind === "DEFAULT" || kind === "env") return kind;
  if (kind === "subset") return `subset#task:${tail.replace(/^#(task:)?/, "") || "<name>"}`;
  return kind + (tail || "#0");
}

/** Why a section name is not understood, with the closest valid name when there is one. */
function unknownSectionReason(name: string): string {
  const hash = name.indexOf("#");
  const [head, tail] = hash < 0 ? [name, ""] : [name.slice(0, hash), name.slice(hash)];
  const close = closestNames(head, ["DEFAULT", "env", "subset", ...RESOURCE_GROUPS], 1)[0];
  const hint = close === undefined ? "" : `did you mean [${suggestedSection(close, tail)}]? `;
  return `unknown section kind: ${hint}a section is DEFAULT, env, subset#task:<name> or <group>#<index> with group ${RESOURCE_GROUPS.join(", ")}`;
}

/** A keyword's value on this node, and where it came from. */
export interface ResolvedValue {
  /** Text after scoping, inheritance, defaults and references. */
  readonly text: string;
  /** The entry that set it; undefined when it is the keyword's default. */
  readonly entry?: IniEntry;
  /** Section of `entry` (differs from the asked section when inherited from DEFAULT). */
  readonly section: string;
}

export interface ServiceContext {
  readonly nodename: string;
  readonly paths: Paths;
}

/**
 * One service's configuration as read from its file, answering keyword lookups for this
 * node. Values are evaluated when asked (scoping, inheritance, references), never cached
 * across calls to `value()` of a different node: a ServiceConfig belongs to one node.
 */
export class ServiceConfig {
  readonly node: NodeContext;
  private readonly sections: ReadonlyMap<string, IniSection>;

  constructor(
    readonly path: ObjectPath,
    readonly file: string,
    readonly doc: IniDocument,
    readonly ctx: ServiceContext,
  ) {
    this.sections = new Map(doc.sections.map((s) => [s.name, s]));
    this.node = this.nodeContext();
  }

  get name(): string {
    return formatObjectPath(this.path);
  }

  get varDir(): string {
    return objectVarDir(this.ctx.paths, this.path);
  }

  section(name: string): IniSection | undefined {
    return this.sections.get(name);
  }

  /** Resource rids of a group (`task`, `fs`…) in natural order. */
  rids(group?: string): readonly string[] {
    this.resources ??= this.doc.sections
      .map((s) => classifySection(s.name))
      .flatMap((c) => ("rid" in c && c.kind !== "DEFAULT" && c.kind !== "subset" ? [{ rid: c.rid, group: c.group }] : []))
      .sort((a, b) => compareRids(a.rid, b.rid));
    const key = group ?? "";
    let rids = this.ridsByGroup.get(key);
    if (rids === undefined) {
      rids = this.resources.filter((r) => group === undefined || r.group === group).map((r) => r.rid);
      this.ridsByGroup.set(key, rids);
    }
    return rids;
  }

  private readonly ridsByGroup = new Map<string, readonly string[]>();

  /** Every resource section, sorted once (the document never changes). */
  private resources?: ReadonlyArray<{ rid: string; group: string }>;

  /** Whether `rid` names a resource section of this service (constant time). */
  hasRid(rid: string): boolean {
    this.ridSet ??= new Set(this.rids());
    return this.ridSet.has(rid);
  }

  private ridSet?: ReadonlySet<string>;

  /** Raw text of a keyword on this node, before references; undefined when unset and no default. */
  raw(sectionName: string, option: string): ResolvedValue | undefined {
    const section = this.sections.get(sectionName);
    const entry = section === undefined ? undefined : resolveScoped(section, option, this.node);
    if (entry !== undefined) return { text: entry.value, entry, section: sectionName };
    const kw = this.keyword(sectionName, option);
    if (kw?.inherit !== undefined && sectionName !== "DEFAULT") {
      const inherited = this.raw("DEFAULT", kw.inherit);
      if (inherited !== undefined && (inherited.entry !== undefined || kw.default === undefined)) return inherited;
    }
    return kw?.default === undefined ? undefined : { text: kw.default, section: sectionName };
  }

  /**
   * Text of a keyword with references evaluated. In a value read as shell words (a command,
   * an environment) each substituted value is quoted for where it lands, so it stays data.
   * Throws ReferenceEvaluationError on a reference to nothing or past the expansion budget.
   */
  text(sectionName: string, option: string): ResolvedValue | undefined {
    const raw = this.raw(sectionName, option);
    if (raw === undefined) return undefined;
    const converter = this.keyword(sectionName, option)?.converter;
    const shellQuote = converter === "command" || converter === "environment" || converter === "words" || converter === "volumes" || converter === "run_args";
    return { ...raw, text: this.evaluate(sectionName, raw.text, shellQuote) };
  }

  /** Evaluates the references of a text as written in section `sectionName`. */
  evaluate(sectionName: string, text: string, shellQuote = false): string {
    return evaluateReferences(text, (name, at) => this.reference(sectionName, name, at), undefined, { shellQuote });
  }

  /**
   * Typed value of a keyword (converted by its keyword's converter), or undefined when unset.
   * Throws when the value does not convert: callers run validation first.
   */
  value<T>(sectionName: string, option: string): T | undefined {
    const resolved = this.text(sectionName, option);
    if (resolved === undefined) return undefined;
    const kw = this.keyword(sectionName, option);
    if (kw === undefined) return resolved.text as T;
    const c = convert(kw, resolved.text);
    if (!c.ok) throw new Error(`${this.file}: [${sectionName}] ${option} = "${resolved.text}": expected ${c.allowed}`);
    return c.value as T;
  }

  keyword(sectionName: string, option: string): Keyword | undefined {
    const c = this.classOf(sectionName);
    return c.kind === "env" || c.kind === "unknown" ? undefined : findKeyword(c.kind, option);
  }

  /** A section's class, computed once per name (lookups ask for it for every keyword). */
  private classOf(sectionName: string): SectionClass {
    let c = this.classes.get(sectionName);
    if (c === undefined) {
      c = classifySection(sectionName);
      this.classes.set(sectionName, c);
    }
    return c;
  }

  private readonly classes = new Map<string, SectionClass>();

  /** Whether this node may run the service's actions (DEFAULT.nodes / drpnodes). */
  isNodeMember(): boolean {
    return nodeMatches(this.ctx.nodename, this.node.nodes) || nodeMatches(this.ctx.nodename, this.node.drpnodes);
  }

  private nodeContext(): NodeContext {
    const def = this.sections.get("DEFAULT");
    const list = (key: string, fallback: string) =>
      (def?.byKey.get(key)?.value ?? fallback).split(/\s+/).filter((w) => w !== "");
    return {
      nodename: this.ctx.nodename,
      nodes: list("nodes", "*"),
      drpnodes: [...list("drpnodes", ""), ...list("drpnode", "")],
    };
  }

  private reference(sectionName: string, name: string, at: Expansion): string | undefined {
    const builtin = this.builtinReference(sectionName, name);
    if (builtin !== undefined) return builtin;
    const dot = name.lastIndexOf(".");
    const [section, option] = dot > 0 ? [name.slice(0, dot), name.slice(dot + 1)] : [sectionName, name];
    const found = this.raw(section, option) ?? (dot > 0 ? undefined : this.raw("DEFAULT", option));
    if (found === undefined) return undefined;
    return evaluateReferences(found.text, (n, a) => this.reference(found.section, n, a), at);
  }

  private builtinReference(sectionName: string, name: string): string | undefined {
    const c = this.classOf(sectionName);
    const rid = "rid" in c ? c : undefined;
    switch (name) {
      case "name":
      case "svcname":
        return this.path.name;
      case "short_name":
        return this.path.name.split(".")[0];
      case "path":
      case "svcpath":
        return this.name;
      case "namespace":
        return this.path.namespace ?? "root";
      case "kind":
        return this.path.kind;
      case "nodename":
        return this.ctx.nodename;
      case "short_nodename":
        return this.ctx.nodename.split(".")[0];
      case "rid":
        return rid?.rid;
      case "rindex":
        return rid?.index;
      case "rgroup":
        return rid?.group;
      case "var":
        return this.ctx.paths.var;
      case "private_var":
        return this.varDir;
      case "etc":
        return this.ctx.paths.etc;
      case "log":
        return this.ctx.paths.log;
      default:
        return undefined;
    }
  }
}
