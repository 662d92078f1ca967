import type { CliCommand, OptionSpec, ParsedArgs } from "./command.js";
import { GLOBAL_OPTIONS } from "./global-options.js";
import { ANY_COUNT, parseWholeNumber } from "./whole-number.js";

/**
 * A small, strict argv parser for well-formed command lines, driven by the commands' option
 * tables. It returns null for anything it does not fully understand (help, version, unknown
 * or malformed options, missing values, builder-only commands): the caller then lets yargs
 * parse the same argv, which prints help or the proper usage error.
 */
export function fastParse(argv: readonly string[], commands: readonly CliCommand[]): { command: CliCommand; args: ParsedArgs } | null {
  const words: string[] = [];
  const raw: Array<[string, string | true]> = [];
  let rest: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    if (tok === "--") {
      rest = argv.slice(i + 1);
      break;
    }
    if (!tok.startsWith("-") || tok === "-") {
      words.push(tok);
      continue;
    }
    const eq = tok.indexOf("=");
    const name = tok.startsWith("--") ? tok.slice(2, eq < 0 ? undefined : eq) : tok.slice(1);
    if (!tok.startsWith("--") && name.length !== 1) return null;
    if (eq >= 0 && tok.startsWith("--")) raw.push([name, tok.slice(eq + 1)]);
    else if (optionTakesValue(name, [GLOBAL_OPTIONS, ...commands.map((c) => c.options ?? {})])) {
      if (i + 1 >= argv.length) return null;
      raw.push([name, argv[++i]!]);
    } else raw.push([name, true]);
  }
  const command = matchCommand(words, commands);
  if (command === null || command.builder !== undefined) return null;
  if (rest !== undefined && command.afterDoubleDash !== true) return null;
  const positionals = words.slice(command.words.length);
  const parsed = build(command, positionals, raw);
  if (parsed !== null && rest !== undefined) parsed.args["--"] = rest;
  return parsed;
}

/** True when `name` (an option's name or alias) takes a value in one of `tables`. */
export function optionTakesValue(name: string, tables: ReadonlyArray<Readonly<Record<string, OptionSpec>>>): boolean {
  for (const table of tables) {
    for (const [key, spec] of Object.entries(table)) {
      if ((key === name || spec.alias === name) && spec.type !== "boolean") return true;
    }
  }
  return false;
}

function matchCommand(words: readonly string[], commands: readonly CliCommand[]): CliCommand | null {
  let best: CliCommand | null = null;
  for (const c of commands) {
    if (c.words.every((w, i) => words[i] === w) && (best === null || c.words.length > best.words.length)) best = c;
  }
  return best;
}

function build(command: CliCommand, positionals: string[], raw: Array<[string, string | true]>): { command: CliCommand; args: ParsedArgs } | null {
  const table: Record<string, OptionSpec> = { ...GLOBAL_OPTIONS, ...(command.options ?? {}) };
  const args: ParsedArgs = { _: [...command.words] };
  for (const [key, spec] of Object.entries(table)) if (spec.default !== undefined) args[key] = spec.default;
  const given = new Set<string>();
  for (const [name, value] of raw) {
    const entry = Object.entries(table).find(([k, s]) => k === name || s.alias === name);
    if (entry === undefined) return null;
    const [key, spec] = entry;
    const v = convertValue(spec, value);
    if (v === undefined) return null;
    if (spec.type === "number" && given.has(key)) return null; // one number only: yargs reports it
    // Repeated options collect into an array, as yargs does; commands decide what that means.
    const previous = given.has(key) ? ([] as unknown[]).concat(args[key]) : [];
    args[key] = given.has(key) || spec.type === "array" ? [...previous, v] : v;
    given.add(key);
  }
  const specs = command.positionals ?? [];
  if (positionals.length > specs.length) return null;
  for (const [i, p] of specs.entries()) {
    if (positionals[i] === undefined && p.required) return null;
    if (positionals[i] !== undefined) args[p.name] = positionals[i];
  }
  return { command, args };
}

function convertValue(spec: OptionSpec, value: string | true): unknown {
  if (spec.type === "boolean") return value === true ? true : value === "true" ? true : value === "false" ? false : undefined;
  if (value === true) return undefined;
  if (spec.choices !== undefined && !spec.choices.includes(value)) return undefined;
  if (spec.type === "number") return parseWholeNumber(value, spec.range ?? ANY_COUNT) ?? undefined; // yargs reports it
  return value;
}
