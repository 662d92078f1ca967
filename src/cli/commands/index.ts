import type { CliCommand } from "../command.js";
import { runCommand } from "./run.js";
import { lsCommand } from "./ls.js";
import { validateConfigCommand } from "./validate-config.js";
import { printStatusCommand } from "./print-status.js";
import { printConfigCommand } from "./print-config.js";
import { keywordsCommand } from "./keywords.js";

/** Every command, in the order `--help` lists them. */
export const COMMANDS: readonly CliCommand[] = [
  lsCommand,
  runCommand,
  validateConfigCommand,
  printStatusCommand,
  printConfigCommand,
  keywordsCommand,
];
