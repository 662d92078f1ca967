import type { Alert } from "../core/alert.js";
import { convert } from "./converters.js";
import { parseIni, type IniSection } from "./ini.js";
import type { Keyword, NodeSectionKind } from "./keyword.js";
import { closestNames } from "../core/suggest.js";
import { NODE_KEYWORDS, NODE_SECTION_KINDS, RESERVED_NODE_SECTIONS } from "./keywords/node.js";
import { splitScopedKey } from "./scope.js";
import { maskPassword } from "../core/store-url.js";
import type { CgroupLimits } from "../core/ports.js";

/**
 * The node configuration, `<etc>/node.conf` (pure: text in, typed settings and alerts out).
 * A missing file is every default. Other modules read it through `NodeConfig` only.
 */
export interface NodeConfig {
  readonly file: string;
  /** False when there is no node.conf: every value is its default. */
  readonly exists: boolean;
  /** `[node] name`, null when not set (the host name then). */
  readonly name: string | null;
  /** `[node] lang`, null when not set. */
  readonly lang: string | null;
  /** `[node] max_parallel`, null when not set (the daemon's default then). */
  readonly maxParallel: number | null;
  /** `[node] seed` (a job file the daemon schedules and watches) and `seed_from` (its format), null when not set. */
  readonly seed: { readonly file: string; readonly from: string | null } | null;
  readonly log: LogSettings;
  /** History retention, as the daemon and `history prune` apply it. */
  readonly history: {
    /** `sqlite` or a PostgreSQL URL (with its password, if one was written: never print it, see maskPassword). */
    readonly store: string;
    readonly keepRuns: number;
    readonly keepDays: number;
  };
  /** `[limits]`: the cgroup limits of a task that sets none of its own. */
  readonly limits: CgroupLimits;
  /** `[limits] orphans`: what the daemon does at start with the processes of runs a killed svcmgr left behind. */
  readonly orphans: "kill" | "wait";
  /**
   * `[cluster]`: this node's cluster (name, etcd endpoints, lease TTL in whole seconds), or null
   * when node.conf sets no `etcd` (every service is then local to this node).
   */
  readonly cluster: ClusterSettings | null;
  /** Every keyword's value by section, set or default (print config). */
  readonly values: Readonly<Record<NodeSectionKind, Readonly<Record<string, NodeValue>>>>;
}

export interface ClusterSettings {
  readonly name: string;
  readonly etcd: readonly string[];
  readonly leaseTtlS: number;
}

export interface LogSettings {
  /** Rotation size of service logs and the daemon log file, in bytes. */
  readonly maxSize: number;
  /** Rotated files kept per log. */
  readonly keep: number;
  /** Largest output file kept per run, in bytes; 0: no limit. */
  readonly outputMax: number;
}

export interface NodeValue {
  /** As written (or the default's text); null when unset without a default. */
  readonly text: string | null;
  readonly value: string | number | boolean | null;
  /** Where it was set (`file:line`), or null for a default. */
  readonly from: string | null;
}

export interface LoadedNodeConfig {
  readonly config: NodeConfig;
  readonly alerts: readonly Alert[];
}

/** `text` null: the file does not exist. */
export function parseNodeConfig(file: string, text: string | null): LoadedNodeConfig {
  const alerts: Alert[] = [];
  const sections = new Map<NodeSectionKind, IniSection>();
  if (text !== null) {
    const { doc, alerts: syntax } = parseIni(text, file);
    alerts.push(...syntax);
    for (const section of doc.sections) {
      const kind = classify(file, section, alerts);
      if (kind !== null) sections.set(kind, section);
    }
  }
  const values = {} as Record<NodeSectionKind, Record<string, NodeValue>>;
  for (const kind of NODE_SECTION_KINDS) values[kind] = sectionValues(file, kind, sections.get(kind), alerts);
  const num = (kind: NodeSectionKind, option: string) => values[kind][option]?.value as number;
  const opt = <T>(v: NodeValue | undefined) => (v?.value ?? null) as T | null;
  const config: NodeConfig = {
    file,
    exists: text !== null,
    name: opt<string>(values.node.name),
    lang: opt<string>(values.node.lang),
    maxParallel: opt<number>(values.node.max_parallel),
    seed: opt<string>(values.node.seed) === null ? null : { file: opt<string>(values.node.seed)!, from: opt<string>(values.node.seed_from) || null },
    log: { maxSize: num("log", "max_size"), keep: num("log", "keep"), outputMax: num("log", "output_max") },
    history: { store: values.history.store!.value as string, keepRuns: num("history", "keep_runs"), keepDays: num("history", "keep_days") },
    limits: Object.fromEntries((["memory", "cpus", "pids"] as const).flatMap((k) => (values.limits[`limit_${k}`]?.value == null ? [] : [[k, values.limits[`limit_${k}`]!.value as number]]))),
    orphans: values.limits.orphans!.value as "kill" | "wait",
    cluster: clusterSettings(values.cluster),
    values: maskSecrets(values),
  };
  return { config, alerts: alerts.sort((a, b) => (a.line ?? 0) - (b.line ?? 0)) };
}

/** `[cluster]` when etcd endpoints are set; the name defaults to "default", the TTL is whole seconds, at least 2. */
function clusterSettings(v: Readonly<Record<string, NodeValue>>): ClusterSettings | null {
  const etcd = v.etcd?.value;
  if (typeof etcd !== "string" || etcd === "") return null;
  const name = typeof v.name?.value === "string" && v.name.value !== "" ? v.name.value : "default";
  return { name, etcd: etcd.split(","), leaseTtlS: Math.max(2, Math.round((v.lease_ttl!.value as number) / 1000)) };
}

/** The values as shown (print config): a secret keyword's password masked. */
function maskSecrets(values: Record<NodeSectionKind, Record<string, NodeValue>>): Record<NodeSectionKind, Record<string, NodeValue>> {
  const out = {} as Record<NodeSectionKind, Record<string, NodeValue>>;
  for (const kind of NODE_SECTION_KINDS) {
    out[kind] = Object.fromEntries(Object.entries(values[kind]).map(([option, v]) => {
      if (NODE_KEYWORDS[kind].find((k) => k.option === option)?.secret !== true) return [option, v];
      const mask = (x: string | number | boolean | null) => (typeof x === "string" ? maskPassword(x) : x);
      return [option, { ...v, text: mask(v.text) as string | null, value: mask(v.value) }];
    }));
  }
  return out;
}

function classify(file: string, section: IniSection, alerts: Alert[]): NodeSectionKind | null {
  const name = section.name;
  if ((NODE_SECTION_KINDS as readonly string[]).includes(name)) return name as NodeSectionKind;
  const at = { file, line: section.line, section: name };
  if ((RESERVED_NODE_SECTIONS as readonly string[]).includes(name)) {
    alerts.push({ level: "warning", ...at, message: `section reserved for a later version of svcmgr, ignored` });
    return null;
  }
  const hints = closestNames(name, [...NODE_SECTION_KINDS, ...RESERVED_NODE_SECTIONS]);
  const known = `node.conf has ${NODE_SECTION_KINDS.map((k) => `[${k}]`).join(", ")}`;
  alerts.push({ level: "error", ...at, message: `unknown section: ${hints.length > 0 ? `did you mean ${hints.map((h) => `[${h}]`).join(" or ")}? ` : ""}${known}` });
  return null;
}

/** Checks a section's entries against its keyword table; returns every keyword's value. */
function sectionValues(file: string, kind: NodeSectionKind, section: IniSection | undefined, alerts: Alert[]): Record<string, NodeValue> {
  const table = NODE_KEYWORDS[kind];
  const out: Record<string, NodeValue> = {};
  for (const kw of table) {
    const value = kw.default === undefined ? null : (convert(kw, kw.default) as { value: number | string | boolean }).value;
    out[kw.option] = { text: kw.default ?? null, value, from: null };
  }
  for (const entry of section?.entries ?? []) {
    const { option, scope } = splitScopedKey(entry.key);
    const kw: Keyword | undefined = table.find((k) => k.option === option);
    const at = { file, line: entry.line, section: kind, keyword: entry.key, value: maskPassword(entry.value) }; // a URL with a password, even under a misspelt keyword
    if (kw === undefined) {
      const hints = closestNames(option, table.map((k) => k.option));
      const hint = hints.length > 0 ? `did you mean ${hints.map((h) => `"${h}"`).join(" or ")}?` : `known keywords: ${table.map((k) => k.option).join(", ")}`;
      alerts.push({ level: "warning", ...at, message: `unknown keyword, ignored; ${hint}` });
      continue;
    }
    if (scope !== null) {
      alerts.push({ level: "error", ...at, message: `keyword "${option}" cannot be scoped with @${scope} in node.conf` });
      continue;
    }
    const converted = convert(kw, entry.value);
    if (!converted.ok) alerts.push({ level: "error", ...at, message: `bad value: expected ${converted.allowed}` });
    else out[kw.option] = { text: entry.value.trim(), value: converted.value as string | number | boolean, from: `${file}:${entry.line}` };
  }
  return out;
}
