import type { CliCommand } from "../command.js";
import { runCommand } from "./run.js";

/**
 * The commands of the run bundle (cli-run.cjs): only what `svcmgr -s SVC run` needs. Every
 * command is also in COMMANDS (index.ts), which the full bundle serves.
 */
export const RUN_BUNDLE_COMMANDS: readonly CliCommand[] = [runCommand];
