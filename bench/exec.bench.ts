/**
 * One-off runs, after `npm run build`:
 *   node --import tsx bench/exec.bench.ts [--calls 30]
 *
 * Median wall time, from a shell, of `svcmgr -s db exec --wait -- /bin/true` (handed to the
 * daemon over its socket, output followed, exit code from the record) against
 * `svcmgr -s db run --rid task#0` of a task running `/bin/true` (the CLI runs it itself), on
 * one root with one daemon, calls alternating so that both see the same load; and the ratio.
 * Also `exec` without `--wait` (it returns once the run is recorded as started).
 */
import { spawnSync } from "node:child_process";
import { CLI, makeRoot } from "../test/e2e/helpers.js";
import { Daemon } from "../test/e2e/daemon-harness.js";
import { arg } from "./args.js";

const CALLS = Number(arg("calls", "30"));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const root = makeRoot();
root.writeConf("db", "[task#0]\ncommand = /bin/true\n");
const daemon = Daemon.start(root);
try {
  await daemon.waitEvent("api listening", (e) => e.event === "api-listening");
  const time = (args: string[]): number => {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [CLI, "--root", root.dir, ...args], { encoding: "utf8" });
    const ms = performance.now() - t0;
    if (r.status !== 0) throw new Error(`svcmgr ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
    return ms;
  };
  const kinds = {
    "exec --wait -- /bin/true": ["-s", "db", "exec", "--wait", "--", "/bin/true"],
    "run --rid task#0 (/bin/true)": ["-s", "db", "run", "--rid", "task#0"],
    "exec -- /bin/true (no wait)": ["-s", "db", "exec", "--", "/bin/true"],
  };
  const times = new Map<string, number[]>(Object.keys(kinds).map((k) => [k, []]));
  for (const args of Object.values(kinds)) time(args); // warm the code caches and the page cache
  for (let i = 0; i < CALLS; i++) for (const [k, args] of Object.entries(kinds)) times.get(k)!.push(time(args));
  const m = new Map([...times].map(([k, xs]) => [k, median(xs)]));
  for (const [k, v] of m) console.log(`${k.padEnd(30)} median ${v.toFixed(1)} ms over ${CALLS} calls`);
  const ratio = m.get("exec --wait -- /bin/true")! / m.get("run --rid task#0 (/bin/true)")!;
  console.log(`exec --wait / run: ${ratio.toFixed(2)}×`);
} finally {
  await daemon.stop();
  root.cleanup();
}
