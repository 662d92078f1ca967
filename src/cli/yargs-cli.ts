import yargs, { type Argv, type Options } from "yargs";
import { UsageError } from "../core/errors.js";
import type { Output } from "../core/output.js";
import type { CliCommand, OptionSpec, ParsedArgs } from "./command.js";
import { GLOBAL_OPTIONS } from "./global-options.js";
import { ANY_COUNT, parseWholeNumber, wholeNumberError, type WholeNumberRange } from "./whole-number.js";

/**
 * The full parser: help, version, completion-quality errors. Built from the same command
 * tables as the fast parser. Returns the command to run, or null when yargs already answered
 * (--help, --version) on `stdout`.
 */
export async function yargsParse(argv: readonly string[], commands: readonly CliCommand[], version: string, stdout: Pick<Output, "write">): Promise<{ command: CliCommand; args: ParsedArgs } | null> {
  let chosen: CliCommand | null = null;
  let output = "";
  const y = yargs([...argv])
    .scriptName("svcmgr")
    .usage("svcmgr [-s SERVICE] COMMAND [options]\n\nRun the tasks of services described in INI files, by hand or on schedule, and keep a record of every run.")
    .options(toYargs(GLOBAL_OPTIONS))
    .strict()
    .demandCommand(1, "a command is required: try svcmgr --help")
    .recommendCommands()
    .version(version)
    .help()
    .alias("h", "help")
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .epilogue(EPILOGUE)
    .exitProcess(false)
    .fail((msg, err) => {
      throw new UsageError(msg ?? err?.message ?? "invalid command line");
    });
  for (const group of groupByFirstWord(commands)) registerGroup(y, group, (c) => (chosen = c));
  const args = (await y.parseAsync([...argv], {}, (_err, _argv, out) => {
    output = out;
  })) as ParsedArgs;
  if (output !== "") {
    stdout.write(output + "\n");
    return null;
  }
  return chosen === null ? null : { command: chosen, args };
}

const EPILOGUE = [
  "Exit codes:",
  "  0  success",
  "  1  a selected task failed, timed out, was refused or its requirements were unmet",
  "  2  usage or configuration error; damaged or unreadable run history; permission denied",
  "  70 internal error (a bug: --debug shows the stack trace)",
  "",
  "Examples:",
  "  svcmgr ls                                  list services",
  "  svcmgr -s db validate config               check a service's config, every problem at once",
  "  svcmgr -s db run --rid task#0              run one task",
  "  svcmgr -s db run --tags backup+nightly     run the tasks tagged backup AND nightly",
  "  svcmgr -s db print status                  resources, their states and each task's last run",
  "  svcmgr schedule next '02:00-04:00@30 mon-fri' --count 5",
  "",
  "svcmgr --version --verbose says whether the native addon is in use (SVCMGR_NATIVE=0 turns it off).",
  "Manual: man svcmgr, man svcmgr.conf",
].join("\n");

function toYargs(table: Readonly<Record<string, OptionSpec>>): Record<string, Options> {
  const out: Record<string, Options> = {};
  for (const [k, s] of Object.entries(table)) {
    out[k] = { type: s.type, describe: s.describe, alias: s.alias, choices: s.choices ? [...s.choices] : undefined, default: s.default, requiresArg: s.requiresArg ?? (s.type !== "boolean") };
    // Untyped, so that a bad value reaches the coercion as typed (yargs would make it NaN).
    if (s.type === "number") out[k] = { ...out[k], type: undefined, coerce: wholeNumberCoercion(k, s.range ?? ANY_COUNT) };
  }
  return out;
}

/** yargs reports what a coercion throws as a usage error. */
function wholeNumberCoercion(option: string, range: WholeNumberRange) {
  return (value: unknown): number | undefined => {
    if (value === undefined) return undefined; // not given, no default
    const raw = String(value);
    const n = parseWholeNumber(raw, range);
    if (n === null) throw new Error(wholeNumberError(option, raw, range));
    return n;
  };
}

function groupByFirstWord(commands: readonly CliCommand[]): CliCommand[][] {
  const groups = new Map<string, CliCommand[]>();
  for (const c of commands) groups.set(c.words[0]!, [...(groups.get(c.words[0]!) ?? []), c]);
  return [...groups.values()];
}

function registerGroup(y: Argv, group: CliCommand[], choose: (c: CliCommand) => void): void {
  const single = group.length === 1 && group[0]!.words.length === 1 ? group[0]! : null;
  if (single !== null) {
    y.command(commandString(single, 0), single.describe, (b) => configure(b, single), () => choose(single));
    return;
  }
  const first = group[0]!.words[0]!;
  y.command(first, `${group.map((c) => c.words.slice(1).join(" ")).join(", ")} (see svcmgr ${first} --help)`, (b) => {
    for (const c of group) b.command(commandString(c, 1), c.describe, (bb) => configure(bb, c), () => choose(c));
    return b.demandCommand(1, `${first} needs a subcommand: ${group.map((c) => c.words.slice(1).join(" ")).join(", ")}`);
  });
}

function commandString(c: CliCommand, from: number): string {
  const pos = (c.positionals ?? []).map((p) => (p.required ? `<${p.name}>` : `[${p.name}]`));
  return [...c.words.slice(from), ...pos].join(" ");
}

function configure(b: Argv, c: CliCommand): Argv {
  let out = b.options(toYargs(c.options ?? {}));
  for (const p of c.positionals ?? []) out = out.positional(p.name, { describe: p.describe, type: "string" });
  for (const [cmd, text] of c.examples ?? []) out = out.example(cmd, text);
  return c.builder ? c.builder(out) : out;
}
