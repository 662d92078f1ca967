import { asPermissionError, isSvcmgrError } from "../core/errors.js";
import { createApp } from "../platform/create-app.js";
import type { CliCommand, ParsedArgs } from "./command.js";
import { fastParse } from "./fast-args.js";
import { COMMANDS } from "./commands/index.js";
import { stdOutput } from "../platform/std-output.js";

const stderr = stdOutput("stderr");

declare const SVCMGR_VERSION: string | undefined;

/**
 * The CLI boundary and composition root: argv → the App (built once, here) → command → exit code. The only place that sets process.exitCode
 * and prints errors. User errors (SvcmgrError) print their message; anything else is a bug
 * and prints a stack trace.
 */
async function main(argv: readonly string[]): Promise<number> {
  const debug = argv.includes("--debug");
  try {
    if (argv.includes("--version") && argv.includes("--verbose")) return await printVersion();
    const parsed = fastParse(argv, COMMANDS) ?? (await parseWithYargs(argv));
    if (parsed === null) return 0;
    const app = createApp({ root: typeof parsed.args.root === "string" ? parsed.args.root : undefined, debug });
    return await parsed.command.run(parsed.args, app);
  } catch (e) {
    return reportError(e, debug);
  }
}

async function parseWithYargs(argv: readonly string[]): Promise<{ command: CliCommand; args: ParsedArgs } | null> {
  const { yargsParse } = await import("./yargs-cli.js");
  return yargsParse(argv, COMMANDS, typeof SVCMGR_VERSION === "string" ? SVCMGR_VERSION : "dev", stdOutput("stdout"));
}

/** `--version --verbose`: the version, the runtime, and whether the native addon is in use (and why not). */
async function printVersion(): Promise<number> {
  const { nativeMode } = await import("../platform/native-addon.js");
  const version = typeof SVCMGR_VERSION === "string" ? SVCMGR_VERSION : "dev";
  stdOutput("stdout").write(`svcmgr ${version}\nnode ${process.version} (${process.platform} ${process.arch})\nmode: ${nativeMode().text}\n`);
  return 0;
}

function reportError(error: unknown, debug: boolean): number {
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

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});

