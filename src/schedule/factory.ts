import type { Program } from "./ast.js";
import { compileCron, looksLikeCron, type CronRule } from "./cron.js";
import { ScheduleSyntaxError } from "./errors.js";
import { parseOpensvc } from "./grammar.js";
import { resolveZone } from "./resolve-zone.js";
import { CronSchedule, NoSchedule, OpensvcSchedule } from "./schedule.js";
import type { Schedule } from "./types.js";

/**
 * Expression text → compiled rule, independent of zone and splay key, then the light
 * Schedule object that binds a rule to a zone and a key.
 */
export type Compiled =
  | { readonly kind: "none" }
  | { readonly kind: "cron"; readonly rule: CronRule }
  | { readonly kind: "opensvc"; readonly program: Program };

/** @internal Parses without any cache. Throws ScheduleSyntaxError. */
export function compileExpression(expr: string): Compiled {
  if (typeof expr !== "string") throw new ScheduleSyntaxError(String(expr), "a schedule must be a string");
  if (looksLikeCron(expr)) return { kind: "cron", rule: compileCron(expr) };
  const program = parseOpensvc(expr);
  if (program.includes.length === 0 && program.excludes.length === 0) return { kind: "none" };
  return { kind: "opensvc", program };
}

/** @internal Binds a compiled rule to its zone and splay key. */
export function bindSchedule(expr: string, compiled: Compiled, timezone: string, splayKey: string): Schedule {
  const zone = resolveZone(expr, timezone);
  switch (compiled.kind) {
    case "none":
      return new NoSchedule(expr, zone.name);
    case "cron":
      return new CronSchedule(expr, zone, compiled.rule);
    case "opensvc":
      return new OpensvcSchedule(expr, zone, compiled.program, splayKey);
  }
}
