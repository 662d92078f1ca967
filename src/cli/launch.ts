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
 *
 * A cache file is the bundle's path, a newline, then V8's data. V8 keeps the file name a cache
 * was made under, and stack traces (and the SQLite driver's fallback addon lookup) show it: a
 * cache made at another path (the build tree, for an installed package) is replaced by one made
 * here, compiled from source once, when this user may write it; otherwise it is used as it is.
 */
import { accessSync, constants, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Script } from "node:vm";
import { bundleFor, FULL_BUNDLE, type BundleExports } from "./bundles.js";

/** The cache's V8 data, or undefined when there is none or it was made at another path that this user can replace. */
function readCache(bundle: string, cacheFile: string): Buffer | undefined {
  let file: Buffer;
  try {
    file = readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  const newline = file.indexOf(10);
  if (newline < 0) return undefined;
  if (file.toString("utf8", 0, newline) !== bundle && writable(dirname(cacheFile))) return undefined;
  return file.subarray(newline + 1);
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function saveCache(script: Script, bundle: string, cacheFile: string): void {
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, Buffer.concat([Buffer.from(`${bundle}\n`), script.createCachedData()]));
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
  const cachedData = readCache(bundle, cacheFile);
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: bundle,
    cachedData,
  });
  if (cachedData === undefined || script.cachedDataRejected === true) process.once("exit", () => saveCache(script, bundle, cacheFile));
  const module = { exports: {} as BundleExports };
  script.runInThisContext()(module.exports, require, module, bundle, dirname(bundle));
  return module.exports;
}

const first = bundleFor(process.argv.slice(2));
if (load(first).declined === true && first !== FULL_BUNDLE) load(FULL_BUNDLE);
