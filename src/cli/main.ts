import type { CliCommand, ParsedArgs } from "./command.js";
import { execute, reportError } from "./root.js";
import { fastParse } from "./fast-args.js";
import { COMMANDS } from "./commands/index.js";
import { stdOutput } from "../platform/std-output.js";

declare const SVCMGR_VERSION: string | undefined;

/**
 * The CLI boundary, entry of the full bundle (cli.cjs, every command; see bundles.ts):
 * argv → command → exit code. The App is built once, in root.ts. This file and main-run.ts
 * are the only places that set process.exitCode; root.ts prints errors.
 */
async function main(argv: readonly string[]): Promise<number> {
  const debug = argv.includes("--debug");
  try {
    if (argv.includes("--version") && argv.includes("--verbose")) return await printVersion();
    const parsed = fastParse(argv, COMMANDS) ?? (await parseWithYargs(argv));
    if (parsed === null) return 0;
    return await execute(parsed, debug);
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

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});

