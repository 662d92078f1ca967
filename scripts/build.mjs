// Bundles the CLI and the library into dist/ with esbuild.
// The CLI entry is small and loads the rest on demand: code splitting keeps yargs (help and
// usage errors only) and other cold paths in chunks that `svcmgr -s db run` never parses.
// better-sqlite3's native addon stays in node_modules and is loaded only when history is opened.
import { build } from "esbuild";
import { readFileSync, rmSync } from "node:fs";
import { builtinModules } from "node:module";

/**
 * Node built-ins through require() instead of ESM imports: an ESM import of a built-in makes
 * Node build a facade that reads every export (node:fs's lazy streams included), which costs
 * milliseconds on each CLI call; require() hands back the module as it is.
 */
const builtinsViaRequire = {
  name: "builtins-via-require",
  setup(b) {
    const names = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    b.onResolve({ filter: /^[a-z_:/]+$/ }, (a) => {
      if (!names.has(a.path)) return undefined;
      // Inside the shim the same name is the real built-in, loaded by the banner's require().
      return a.namespace === "node-builtin" ? { path: a.path, external: true } : { path: a.path, namespace: "node-builtin" };
    });
    b.onLoad({ filter: /.*/, namespace: "node-builtin" }, (a) => ({ contents: `module.exports = require(${JSON.stringify(a.path)});`, loader: "js" }));
  },
};

const { version } = JSON.parse(readFileSync("package.json", "utf8"));

rmSync("dist", { recursive: true, force: true }); // chunk names change: no stale chunk may linger
await build({
  entryPoints: { svcmgr: "src/cli/main.ts", index: "src/index.ts" },
  outdir: "dist",
  outExtension: { ".js": ".mjs" },
  chunkNames: "chunks/[name]-[hash]",
  splitting: true,
  bundle: true,
  platform: "node",
  target: "node20",
  format: "esm",
  // better-sqlite3's JavaScript is bundled; its addon is resolved at run time (history/store.ts).
  external: ["*.node"],
  sourcemap: "linked",
  logLevel: "warning",
  define: { SVCMGR_VERSION: JSON.stringify(version) },
  plugins: [builtinsViaRequire],
  // Bundled CommonJS dependencies (yargs helpers, shell-quote) may call require().
  banner: { js: "import { createRequire as __svcmgrRequire } from 'node:module'; const require = __svcmgrRequire(import.meta.url);" },
});
