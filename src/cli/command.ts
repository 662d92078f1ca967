import type { Argv } from "yargs";
import type { App } from "../service/app.js";
import type { WholeNumberRange } from "./whole-number.js";

/**
 * One CLI command per file. Options are a declarative table: the same table builds the yargs
 * command (help, errors, completion) and feeds the fast argument parser used on hot paths
 * (`svcmgr -s db run --rid task#0` never loads yargs). `run` does the work and returns the
 * exit code; errors are thrown as SvcmgrError subclasses and mapped in cli/main.ts only.
 */
export interface OptionSpec {
  readonly type: "string" | "boolean" | "number" | "array";
  readonly describe: string;
  readonly alias?: string;
  readonly choices?: readonly string[];
  readonly default?: string | number | boolean;
  readonly requiresArg?: boolean;
  /** For "number" options: the whole numbers allowed. @default ANY_COUNT (0 or more) */
  readonly range?: WholeNumberRange;
}

export interface PositionalSpec {
  readonly name: string;
  readonly describe: string;
  readonly required: boolean;
}

export type ParsedArgs = Record<string, unknown> & { _: string[] };

export interface CliCommand {
  /** The command words, e.g. ["print", "status"]. */
  readonly words: readonly string[];
  readonly describe: string;
  readonly positionals?: readonly PositionalSpec[];
  readonly options?: Readonly<Record<string, OptionSpec>>;
  /** Full yargs control for commands that need it (they are parsed by yargs only). */
  readonly builder?: (y: Argv) => Argv;
  readonly examples?: ReadonlyArray<readonly [string, string]>;
  /** True when the words after `--` are the command's own (a command line to run: `exec -- CMD…`), in `args["--"]`. */
  readonly afterDoubleDash?: boolean;
  /** True when the command acts on services selected with -s. */
  readonly needsService?: boolean;
  run(args: ParsedArgs, app: App): Promise<number> | number;
}

/** Output format shared by every print-like command. */
export type OutputFormat = "text" | "json";

export const FORMAT_OPTION: OptionSpec = { type: "string", describe: "Output format", choices: ["text", "json"], default: "text" };
