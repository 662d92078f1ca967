import type { Argv, ArgumentsCamelCase } from "yargs";
import type { App } from "../app.js";

/**
 * One CLI command per file. `builder` declares its options (with help text that teaches);
 * `run` does the work and returns the process exit code. Errors are thrown as SvcmgrError
 * subclasses; cli/main.ts alone maps them to exit codes and prints them.
 */
export interface CliCommand<A = Record<string, unknown>> {
  readonly command: string | readonly string[];
  readonly describe: string;
  readonly builder?: (y: Argv) => Argv;
  run(argv: ArgumentsCamelCase<A>, app: App): Promise<number> | number;
}

/** Output format shared by every print-like command. */
export type OutputFormat = "text" | "json";
