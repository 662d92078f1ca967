import type { Alert } from "../core/alert.js";
import type { IniEntry, IniSection } from "./ini.js";
import type { Keyword, SectionKind } from "./keyword.js";
import { KEYWORDS, findKeyword, suggestKeywords } from "./keywords/index.js";
import { convert } from "./converters.js";
import { ReferenceEvaluationError } from "./references.js";
import { splitScopedKey } from "./scope.js";
import { classifySection, type ServiceConfig } from "./service.js";
import type { Requirement } from "./requires.js";
import { isValidRidIndex, RID_INDEX_ALLOWED } from "../core/rid.js";

/**
 * Checks a whole service and returns every problem at once. Errors make the service
 * unusable (every command refuses it, the daemon does not schedule it); warnings are shown.
 */

/** Schedule checks are delegated so this module stays independent of the schedule engine. */
export type ScheduleChecker = (expression: string, timezone: string | undefined) => { error?: string; warnings: string[] };

/** Whether a user or group (name or numeric id) exists on this node. */
export interface IdentityChecker {
  user(nameOrUid: string): boolean;
  group(nameOrGid: string): boolean;
}

export interface ValidateOptions {
  readonly checkSchedule?: ScheduleChecker;
  readonly identities?: IdentityChecker;
}

type Emit = (alert: Omit<Alert, "file">) => void;

export function validateService(config: ServiceConfig, options: ValidateOptions = {}): Alert[] {
  const alerts: Alert[] = [];
  const emit: Emit = (a) => alerts.push({ file: config.file, ...a });
  for (const section of config.doc.sections) validateSection(config, section, emit, options);
  return dedupe(alerts).sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

/** An inherited value is checked once per inheriting section; report each problem once. */
function dedupe(alerts: Alert[]): Alert[] {
  const seen = new Set<string>();
  return alerts.filter((a) => {
    const key = `${a.line}|${a.section}|${a.keyword}|${a.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function validateSection(config: ServiceConfig, section: IniSection, emit: Emit, options: ValidateOptions): void {
  const cls = classifySection(section.name);
  if (cls.kind === "env") return checkEnvReferences(config, section, emit);
  if (cls.kind === "unknown") {
    emit({ level: "error", line: section.line, section: section.name, message: cls.reason });
    return;
  }
  if (cls.kind !== "DEFAULT" && cls.kind !== "subset" && !isValidRidIndex(cls.index)) {
    emit({ level: "error", line: section.line, section: section.name, message: `bad resource id: the part after "#" names directories under the var and log dirs; allowed: ${RID_INDEX_ALLOWED}` });
  }
  const driverType = cls.kind === "fs" ? fsDriverType(config, section.name) : cls.kind === "task" ? taskDriverType(config, section.name) : undefined;
  for (const entry of section.entries) checkEntryKeyword(cls.kind, section, entry, driverType, emit);
  for (const kw of KEYWORDS[cls.kind]) {
    if (kw.types !== undefined && driverType !== undefined && !kw.types.includes(driverType)) continue;
    checkValue(config, section, kw, emit, options, driverType);
  }
}

/** A task's type when it is a known one (an unknown type is reported by the type keyword). */
function taskDriverType(config: ServiceConfig, rid: string): string | undefined {
  const type = config.raw(rid, "type")?.text.trim() ?? "host";
  return ["host", "podman", "container_update"].includes(type) ? type : undefined;
}

/** [env] values are evaluated where they are referenced; each must evaluate on its own too. */
function checkEnvReferences(config: ServiceConfig, section: IniSection, emit: Emit): void {
  for (const entry of section.entries) {
    try {
      config.evaluate(section.name, entry.value);
    } catch (e) {
      if (!(e instanceof ReferenceEvaluationError)) throw e;
      emit({ level: "error", line: entry.line, section: section.name, keyword: entry.key, value: entry.value, message: e.message });
    }
  }
}

/** `fs` sections: `directory` checks a path, any other type a mount. */
export function fsDriverType(config: ServiceConfig, rid: string): "directory" | "mount" {
  return config.raw(rid, "type")?.text.trim() === "directory" ? "directory" : "mount";
}

function checkEntryKeyword(kind: SectionKind, section: IniSection, entry: IniEntry, driverType: string | undefined, emit: Emit): void {
  const { option, scope } = splitScopedKey(entry.key);
  const at = { line: entry.line, section: section.name, keyword: entry.key, value: entry.value };
  const kw = findKeyword(kind, option);
  if (kw === undefined) {
    const hints = suggestKeywords(kind, option);
    const hint = hints.length > 0 ? `did you mean ${hints.map((h) => `"${h}"`).join(" or ")}?` : knownKeywords(kind);
    emit({ level: "warning", ...at, message: `unknown keyword, ignored; ${hint}` });
    return;
  }
  if (kw.ignored !== undefined) emit({ level: "warning", ...at, message: kw.ignored });
  if (scope !== null && !kw.scopable) emit({ level: "error", ...at, message: `keyword "${option}" cannot be scoped with @${scope}` });
  if (scope === "") emit({ level: "error", ...at, message: `empty scope after "@": expected ${option}@<nodename>, @nodes or @drpnodes` });
  if (kw.types !== undefined && driverType !== undefined && !kw.types.includes(driverType)) {
    if (kind === "task") emit({ level: "error", ...at, message: `keyword "${option}" does not apply to a type = ${driverType} task, only to type ${kw.types.join(", ")}${TYPE_HINTS[option] ?? ""}` });
    else emit({ level: "warning", ...at, message: `keyword "${option}" only applies to ${kind} type ${kw.types.join(", ")}, ignored for this ${driverType} resource` });
  }
}

/** What to write instead, for a host keyword on a container task. */
const TYPE_HINTS: Readonly<Record<string, string>> = {
  group: " (podman runs as svcmgr's user; `user` names the user inside the container, UID:GID included)",
  umask: " (set it in the container's command)",
  limit_nofile: " (use run_args = --ulimit nofile=N:N)",
  limit_nproc: " (use run_args = --ulimit nproc=N:N)",
};

const knownKeywordsOf = new Map<SectionKind, string>();

/** "known keywords: …" for a section kind, built once per kind. */
function knownKeywords(kind: SectionKind): string {
  let text = knownKeywordsOf.get(kind);
  if (text === undefined) {
    text = `known keywords: ${KEYWORDS[kind].map((k) => k.option).join(", ")}`;
    knownKeywordsOf.set(kind, text);
  }
  return text;
}

function checkValue(config: ServiceConfig, section: IniSection, kw: Keyword, emit: Emit, options: ValidateOptions, driverType: string | undefined): void {
  let resolved;
  try {
    resolved = config.text(section.name, kw.option);
  } catch (e) {
    if (!(e instanceof ReferenceEvaluationError)) throw e;
    const raw = config.raw(section.name, kw.option);
    emit({ level: "error", line: raw?.entry?.line ?? section.line, section: raw?.section ?? section.name, keyword: raw?.entry?.key ?? kw.option, value: raw?.text, message: e.message });
    return;
  }
  if (resolved === undefined) {
    const required = kw.required === true && (kw.requiredTypes === undefined || (driverType !== undefined && kw.requiredTypes.includes(driverType)));
    if (required) emit({ level: "error", line: section.line, section: section.name, keyword: kw.option, message: `required keyword "${kw.option}" is missing${kw.example ? `, e.g. ${kw.option} = ${kw.example}` : ""}` });
    return;
  }
  const at = { line: resolved.entry?.line ?? section.line, section: resolved.section, keyword: resolved.entry?.key ?? kw.option, value: resolved.text };
  const converted = convert(kw, resolved.text);
  if (!converted.ok) {
    emit({ level: "error", ...at, message: `bad value: expected ${converted.allowed}` });
    return;
  }
  if (kw.converter === "requires") checkRequiredRids(config, converted.value as Requirement[], at, emit);
  const hostIdentity = driverType === undefined || driverType === "host";
  if ((kw.option === "user" || kw.option === "group") && kw.section !== "DEFAULT" && hostIdentity && options.identities !== undefined) {
    checkIdentity(kw.option, resolved.text, at, emit, options.identities);
  }
  if (kw.converter === "schedule" && options.checkSchedule !== undefined) {
    checkSchedule(config, section.name, resolved.text, at, emit, options.checkSchedule);
  }
}

/** A user or group that does not exist on this node makes this resource unusable here, not the service. */
function checkIdentity(kind: "user" | "group", value: string, at: Omit<Alert, "file" | "level" | "message">, emit: Emit, ids: IdentityChecker): void {
  const name = value.trim();
  if (name === "" || ids[kind](name)) return;
  const db = kind === "user" ? "/etc/passwd" : "/etc/group";
  emit({ level: "error", scope: "resource", ...at, message: `${kind} "${name}" does not exist on this node (not in ${db}): only this resource is refused here` });
}

function checkRequiredRids(config: ServiceConfig, reqs: readonly Requirement[], at: Omit<Alert, "file" | "level" | "message">, emit: Emit): void {
  for (const r of reqs) {
    if (!config.hasRid(r.rid)) {
      emit({ level: "error", ...at, message: `unknown rid "${r.rid}" in run_requires: this service has ${knownRids(config)}` });
    }
  }
}

/** The service's rids for a message, at most a few: a message's length never grows with the file. */
const RIDS_NAMED = 10;

function knownRids(config: ServiceConfig): string {
  const rids = config.rids();
  if (rids.length === 0) return "no resources";
  const named = rids.slice(0, RIDS_NAMED).join(", ");
  return rids.length > RIDS_NAMED ? `${named} and ${rids.length - RIDS_NAMED} more` : named;
}

function checkSchedule(config: ServiceConfig, rid: string, expression: string, at: Omit<Alert, "file" | "level" | "message">, emit: Emit, check: ScheduleChecker): void {
  let timezone: string | undefined;
  try {
    timezone = config.value<string>(rid, "timezone");
  } catch {
    timezone = undefined; // reported by the timezone keyword's own check
  }
  const result = check(expression, timezone);
  if (result.error !== undefined) emit({ level: "error", ...at, message: result.error });
  for (const w of result.warnings) emit({ level: "warning", ...at, message: w });
  const scheduled = expression.trim() !== "" && expression.trim() !== "@0";
  if (scheduled && rid !== "DEFAULT" && config.raw(rid, "confirmation")?.text.trim() === "true") {
    emit({ level: "warning", ...at, message: "this task has confirmation = true: it is never scheduled (only run by hand)" });
  }
}
