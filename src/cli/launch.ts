/**
 * The `svcmgr` executable: runs the CLI bundle that serves this command line (bundles.ts),
 * from beside this file, through V8's code cache (`<bundle>.cache`), so a command starts
 * without parsing or compiling the bundle's functions again. The build writes each bundle's
 * cache after a representative call.
 *
 * Invariants: the cache only ever speeds things up. A missing, stale or foreign cache
 * (another Node version, other V8 flags) is rejected by V8 and the bundle compiles from
 * source as usual; the launcher then writes a fresh cache on exit when it can
 * (atomically, errors ignored), so the next call is fast again.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Script } from "node:vm";
import { bundleFor, FULL_BUNDLE, type BundleExports } from "./bundles.js";

function readCache(cacheFile: string): Buffer | undefined {
  try {
    return readFileSync(cacheFile);
  } catch {
    return undefined;
  }
}

function saveCache(script: Script, cacheFile: string): void {
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, cacheFile);
  } catch {
    // read-only install or a race with another writer: the next call retries
  }
}

/** Same wrapper as Node's CommonJS loader, so the bundle sees the usual module scope. */
function load(name: string): BundleExports {
  const bundle = join(__dirname, name);
  const cacheFile = `${bundle}.cache`;
  const source = readFileSync(bundle, "utf8");
  const cachedData = readCache(cacheFile);
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: bundle,
    cachedData,
  });
  if (cachedData === undefined || script.cachedDataRejected === true) process.once("exit", () => saveCache(script, cacheFile));
  const module = { exports: {} as BundleExports };
  script.runInThisContext()(module.exports, require, module, bundle, dirname(bundle));
  return module.exports;
}

const first = bundleFor(process.argv.slice(2));
if (load(first).declined === true && first !== FULL_BUNDLE) load(FULL_BUNDLE);
