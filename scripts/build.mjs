// Bundles the CLI and the library into dist/ with esbuild:
//   dist/svcmgr.cjs   the executable (src/cli/launch.ts), a few lines
//   dist/cli-run.cjs  `svcmgr run` alone, the hot path (src/cli/main-run.ts)
//   dist/cli.cjs      the CLI with every command (src/cli/main.ts)
//                     each CLI bundle is one CommonJS file, with V8's code cache for it (.cache)
//   dist/index.mjs    the library (`import … from "svcmgr"`), ESM, cold paths in dist/chunks
// better-sqlite3's native addon stays in node_modules and is loaded only when history is opened.
// svcmgr's own addon (native/*.c: the task launcher, file locks, state files) is compiled by node-gyp into
// build/Release at `npm install`, and again here when its source is newer than the build.
import { build } from "esbuild";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { builtinModules, createRequire } from "node:module";

/**
 * Node built-ins through require() instead of ESM imports: an ESM import of a built-in makes
 * Node build a facade that reads every export (node:fs's lazy streams included), which costs
 * milliseconds on each import of the library; require() hands back the module as it is.
 * With `kinds`, only imports of those kinds (esbuild's import kinds) are rewritten.
 */
const builtinsViaRequire = (kinds = null) => ({
  name: "builtins-via-require",
  setup(b) {
    const names = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    b.onResolve({ filter: /^[a-z_:/]+$/ }, (a) => {
      if (!names.has(a.path) || (kinds !== null && a.namespace !== "node-builtin" && !kinds.includes(a.kind))) return undefined;
      // Inside the shim the same name is the real built-in, loaded by the banner's require().
      return a.namespace === "node-builtin" ? { path: a.path, external: true } : { path: a.path, namespace: "node-builtin" };
    });
    b.onLoad({ filter: /.*/, namespace: "node-builtin" }, (a) => ({ contents: `module.exports = require(${JSON.stringify(a.path)});`, loader: "js" }));
  },
});

/**
 * For the CLI bundles: a built-in that Node does not load while starting and whose exports are
 * a plain object (child_process, http, net, fs/promises, os, …) is required on the first use of
 * one of its exports instead of when the importing module is initialised, so a command does not
 * pay for loading the built-ins of code paths it does not take (the daemon client's http, the
 * daemon start's child_process). Built-ins that are functions (stream, assert) are left to the
 * next plugin. Export names are read from the Node that builds, the one the code is checked against.
 */
const lazyBuiltins = () => ({
  name: "lazy-builtins",
  setup(b) {
    const req = createRequire(import.meta.url);
    const loadedAtStart = new Set(
      JSON.parse(execFileSync(process.execPath, ["-p", "JSON.stringify(process.moduleLoadList)"], { encoding: "utf8" }))
        .filter((m) => m.startsWith("NativeModule "))
        .map((m) => m.slice("NativeModule ".length)),
    );
    const names = new Set(builtinModules.filter((m) => !loadedAtStart.has(m)).flatMap((m) => [m, `node:${m}`]));
    const exportsOf = new Map(); // built-in → its export names, or null when it is not a plain object
    const lazyExports = (path) => {
      if (!exportsOf.has(path)) {
        const mod = req(path.startsWith("node:") ? path : `node:${path}`);
        exportsOf.set(path, mod !== null && typeof mod === "object" ? Object.keys(mod) : null);
      }
      return exportsOf.get(path);
    };
    b.onResolve({ filter: /^[a-z_:/]+$/ }, (a) => {
      if (a.namespace === "lazy-builtin") return { path: a.path, external: true };
      if (!names.has(a.path) || lazyExports(a.path) === null) return undefined;
      return { path: a.path, namespace: "lazy-builtin" };
    });
    b.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, (a) => ({
      contents: [
        "let loaded;",
        `const load = () => (loaded ??= require(${JSON.stringify(a.path)}));`,
        `for (const name of ${JSON.stringify(lazyExports(a.path))}) Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });`,
      ].join("\n"),
      loader: "js",
    }));
  },
});

const { version } = JSON.parse(readFileSync("package.json", "utf8"));

rebuildAddonIfStale();

rmSync("dist", { recursive: true, force: true }); // chunk names change: no stale chunk may linger

const common = {
  outdir: "dist",
  bundle: true,
  platform: "node",
  target: "node20",
  // better-sqlite3's JavaScript is bundled; its addon is resolved at run time (history/store.ts).
  // pg (the PostgreSQL history store) stays in node_modules: loaded only when a PostgreSQL store is configured.
  // yaml (Supertask timetables for import and seeds) likewise, loaded only when a YAML file is read.
  external: ["*.node", "pg", "pg-native", "yaml"],
  sourcemap: "linked",
  logLevel: "warning",
  define: { SVCMGR_VERSION: JSON.stringify(version) },
};

// The library, for `import … from "svcmgr"`: ESM, cold paths (the schedule engine) in chunks.
await build({
  ...common,
  entryPoints: { index: "src/index.ts" },
  outExtension: { ".js": ".mjs" },
  chunkNames: "chunks/[name]-[hash]",
  splitting: true,
  format: "esm",
  plugins: [builtinsViaRequire()],
  // Bundled CommonJS dependencies may call require().
  banner: { js: "import { createRequire as __svcmgrRequire } from 'node:module'; const require = __svcmgrRequire(import.meta.url);" },
});

const commonJs = { ...common, outExtension: { ".js": ".cjs" }, format: "cjs" };

// The CLI bundles (src/cli/bundles.ts), loaded by the launcher below through V8's code cache:
// the run bundle holds only what a run uses, so a run reads and deserialises as little as
// possible. Cold paths (yargs, the daemon, the schedule engine) are wrapped by esbuild and run
// only when imported. Whitespace is minified (less to read on each call); names are kept for
// readable stack traces.
await build({
  ...commonJs,
  entryPoints: { cli: "src/cli/main.ts", "cli-run": "src/cli/main-run.ts" },
  minifyWhitespace: true,
  minifySyntax: true,
  // import.meta for a CommonJS file, computed only when used.
  define: { ...common.define, "import.meta": "__svcmgrImportMeta" },
  // The launcher runs this file as a vm.Script, where import() cannot load anything: a
  // built-in imported where it is needed (child_process, net, dns) is required there instead.
  plugins: [lazyBuiltins(), builtinsViaRequire(["dynamic-import"])],
  banner: {
    js: "const __svcmgrImportMeta = { get url() { return require('node:url').pathToFileURL(__filename).href; }, resolve: (s) => require('node:url').pathToFileURL(require.resolve(s)).href };",
  },
});

// The `svcmgr` executable.
await build({
  ...commonJs,
  entryPoints: { svcmgr: "src/cli/launch.ts" },
  sourcemap: false,
  banner: { js: "#!/usr/bin/env node" },
});
chmodSync("dist/svcmgr.cjs", 0o755);

writeCodeCache();

/**
 * A representative call per CLI bundle against a throw-away root: the run bundle loads and
 * validates a service, runs a task and records it; the full bundle prints that service's
 * status. The launcher finds no cache and writes one holding every function the call compiled.
 */
function writeCodeCache() {
  const root = mkdtempSync(join(tmpdir(), "svcmgr-build-"));
  try {
    mkdirSync(join(root, "etc"), { mode: 0o755 });
    writeFileSync(join(root, "etc", "warm.conf"), "[task#0]\ncommand = /bin/true\nschedule = @10m\n", { mode: 0o644 });
    chmodSync(root, 0o755);
    for (const call of [["run", "--rid", "task#0"], ["print", "status"]]) {
      execFileSync(process.execPath, ["dist/svcmgr.cjs", "--root", root, "-s", "warm", ...call], { stdio: "ignore" });
    }
    for (const bundle of ["cli.cjs", "cli-run.cjs"]) {
      if (!existsSync(`dist/${bundle}.cache`)) throw new Error(`build: no code cache was written for dist/${bundle}`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** node-gyp is on PATH inside npm scripts; without it, say what to run instead of failing the build. */
function rebuildAddonIfStale() {
  const mtime = (path) => statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const built = mtime("build/Release/svcmgr_native.node");
  const sources = ["binding.gyp", ...readdirSync("native").map((f) => join("native", f))];
  if (sources.every((f) => built > mtime(f))) return;
  try {
    execFileSync("node-gyp", ["rebuild"], { stdio: "pipe" });
  } catch (e) {
    if (e.stderr) process.stderr.write(e.stderr);
    console.warn(`build: svcmgr's native addon was not rebuilt (${e.code ?? `exit ${e.status}`}); run \`npm run build\` or \`npx node-gyp rebuild\`. Until then svcmgr uses its slower plain-Node fallbacks.`);
  }
}
