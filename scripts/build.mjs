// Bundles the CLI and the library into dist/ with esbuild.
// The CLI is one file so that `svcmgr` pays for as few module loads as possible;
// better-sqlite3 stays external (native addon) and is imported lazily where used.
import { build } from "esbuild";

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  external: ["better-sqlite3"],
  sourcemap: "linked",
  logLevel: "warning",
  // Bundled CommonJS dependencies (yargs helpers, shell-quote) may call require().
  banner: { js: "import { createRequire as __svcmgrRequire } from 'node:module'; const require = __svcmgrRequire(import.meta.url);" },
};

await Promise.all([
  build({ ...common, entryPoints: ["src/cli/main.ts"], outfile: "dist/svcmgr.mjs", banner: { js: "#!/usr/bin/env node\n" + common.banner.js } }),
  build({ ...common, entryPoints: ["src/index.ts"], outfile: "dist/index.mjs" }),
]);
