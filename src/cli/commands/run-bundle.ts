import type { CliCommand } from "../command.js";
import { runCommand } from "./run.js";
import { execCommand } from "./exec.js";

/**
 * The commands of the run bundle (cli-run.cjs): only what `svcmgr -s SVC run` needs, and `exec` (a one-off handed to the daemon, whose
 * `--wait` is timed against `run`). Every
 * command is also in COMMANDS (index.ts), which the full bundle serves.
 */
export const RUN_BUNDLE_COMMANDS: readonly CliCommand[] = [runCommand, execCommand];
