/**
 * The `svcmgr` executable: loads the CLI bundle (`cli.cjs`, beside this file) through V8's
 * code cache (`cli.cjs.cache`), so a command starts without parsing or compiling the
 * bundle's functions again. The build writes the cache after a representative run.
 *
 * Invariants: the cache only ever speeds things up. A missing, stale or foreign cache
 * (another Node version, other V8 flags) is rejected by V8 and the bundle compiles from
 * source as usual; the launcher then writes a fresh cache on exit when it can
 * (atomically, errors ignored), so the next call is fast again.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Script } from "node:vm";

const bundle = join(__dirname, "cli.cjs");
const cacheFile = `${bundle}.cache`;

function readCache(): Buffer | undefined {
  try {
    return readFileSync(cacheFile);
  } catch {
    return undefined;
  }
}

function saveCache(script: Script): void {
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, script.createCachedData());
    renameSync(tmp, cacheFile);
  } catch {
    // read-only install or a race with another writer: the next call retries
  }
}

/** Same wrapper as Node's CommonJS loader, so the bundle sees the usual module scope. */
function load(): void {
  const source = readFileSync(bundle, "utf8");
  const cachedData = readCache();
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: bundle,
    cachedData,
  });
  if (cachedData === undefined || script.cachedDataRejected === true) process.once("exit", () => saveCache(script));
  const module = { exports: {} };
  script.runInThisContext()(module.exports, require, module, bundle, dirname(bundle));
}

load();
