/**
 * The entry of the run bundle (cli-run.cjs, see bundles.ts): `svcmgr run` with the fast
 * parser and nothing else. A command line that parser does not fully accept (help, a usage
 * error) is declined, and the launcher hands it to the full CLI bundle. The fast parser reads
 * a command line here as it would with every command's options (test/cli/run-bundle.test.ts),
 * so both bundles run the same command with the same arguments.
 */
import { execute } from "./root.js";
import { fastParse } from "./fast-args.js";
import { RUN_BUNDLE_COMMANDS } from "./commands/run-bundle.js";

const argv = process.argv.slice(2);
const parsed = fastParse(argv, RUN_BUNDLE_COMMANDS);

/** Read by the launcher as soon as this bundle has run (BundleExports). */
export const declined = parsed === null;

if (parsed !== null) {
  void execute(parsed, argv.includes("--debug")).then((code) => {
    process.exitCode = code;
  });
}
