// Runs every test/**/*.test.ts with node's test runner (TypeScript through tsx).
// Usage: node scripts/test.mjs [filter-substring...]
// Without filters, the end-to-end tests of the launcher, locks and state files run a second time
// with SVCMGR_NATIVE=0 (no native addon).
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith(".test.ts") ? [p] : [];
  });
}

const filters = process.argv.slice(2);
const files = walk("test").filter((f) => filters.length === 0 || filters.some((s) => f.includes(s))).sort();
const run = (list, env) => spawnSync(process.execPath, ["--import", "tsx", "--test", "--test-concurrency=2", ...list], { stdio: "inherit", env: { ...process.env, ...env } }).status ?? 1;
const status = run(files, {});
// The whole suite also runs, once more without the native addon, the end-to-end tests that go
// through what the addon replaces (the task launcher, the run-slot and pid-file locks, the state
// file writer), so the plain-Node fallbacks are exercised by real CLI and daemon processes too.
// The others (configuration, views, installation) do not depend on the mode.
const PLAIN_NODE_E2E = [
  "cgroups", "daemon.test.ts", "daemon-catchup-retry", "daemon-start-stop", "full-var-disk", "identity", "launcher",
  "native-mode", "output-state", "processes", "run-environment", "run-record", "stale-records",
];
const plain = filters.length === 0 ? files.filter((f) => f.startsWith(join("test", "e2e")) && PLAIN_NODE_E2E.some((n) => f.includes(n))) : [];
if (plain.length > 0) console.log(`\n# ${plain.length} end-to-end test files again without the native addon (SVCMGR_NATIVE=0)`);
const plainStatus = plain.length > 0 ? run(plain, { SVCMGR_NATIVE: "0" }) : 0;
process.exit(status !== 0 ? status : plainStatus);
