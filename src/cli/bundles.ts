import { optionTakesValue } from "./fast-args.js";
import { GLOBAL_OPTIONS } from "./global-options.js";

/**
 * The CLI ships as two bundles (scripts/build.mjs), each with its own code cache:
 *   cli-run.cjs  `svcmgr run` (and `exec`): the command that cron jobs, scripts and people start many
 *                times a day, so its start reads and deserialises only what a run uses;
 *   cli.cjs      every command, the full parser (help, usage errors), the daemon.
 * The launcher picks one from the command's first word. The run bundle declines any command
 * line its fast parser does not fully accept, and the launcher then runs cli.cjs, which parses
 * it again from the start: a wrong pick costs a few milliseconds, never a different behaviour.
 */
export const RUN_BUNDLE = "cli-run.cjs";
export const FULL_BUNDLE = "cli.cjs";

/** What a bundle's entry exports: `declined` when it leaves the command line to cli.cjs. */
export interface BundleExports {
  readonly declined?: boolean;
}

export function bundleFor(argv: readonly string[]): string {
  const word = commandWord(argv);
  return word === "run" || word === "exec" ? RUN_BUNDLE : FULL_BUNDLE;
}

/** The first word that is neither an option nor a global option's value (`-s db run` → run). */
export function commandWord(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const tok = argv[i]!;
    if (tok === "--") return undefined;
    if (!tok.startsWith("-") || tok === "-") return tok;
    if (!tok.includes("=") && optionTakesValue(tok.replace(/^--?/, ""), [GLOBAL_OPTIONS])) i++;
  }
  return undefined;
}
