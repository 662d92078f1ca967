import { asPermissionError, isSvcmgrError } from "../core/errors.js";
import { createApp } from "../platform/create-app.js";
import type { CliCommand, ParsedArgs } from "./command.js";
import { stdOutput } from "../platform/std-output.js";

/**
 * The composition root of a CLI invocation, for both CLI bundles (main.ts, main-run.ts):
 * builds the App once, runs the parsed command with it, and maps what it throws to the exit
 * code. User errors (SvcmgrError) print their message; anything else is a bug and prints a
 * stack trace.
 */
export async function execute(parsed: { command: CliCommand; args: ParsedArgs }, debug: boolean): Promise<number> {
  try {
    const str = (v: unknown) => (typeof v === "string" ? v : undefined);
    const app = createApp({ root: str(parsed.args.root), history: str(parsed.args.history), node: str(parsed.args.node), debug });
    return await parsed.command.run(parsed.args, app);
  } catch (e) {
    return reportError(e, debug);
  }
}

export function reportError(error: unknown, debug: boolean): number {
  const stderr = stdOutput("stderr");
  const e = asPermissionError(error);
  if (isSvcmgrError(e)) {
    stderr.write(`svcmgr: ${e.message}\n`);
    if (debug && e.stack) stderr.write(e.stack + "\n");
    return e.exitCode;
  }
  stderr.write(`svcmgr: internal error: ${e instanceof Error ? (debug ? e.stack : e.message) : String(e)}\n`);
  if (!debug) stderr.write("svcmgr: run again with --debug for details\n");
  return 70;
}
