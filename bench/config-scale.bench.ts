/**
 * Config reading, loading and validation are linear in the file's size. Each large case is
 * compared with a case ten times smaller measured in the same run (linear: about 10x;
 * quadratic: about 100x), and `svcmgr -s big validate config` on 10,000 task sections is timed
 * end to end against `node -e 0` (target: at most 1 s more).
 * Run after `npm run build`: node --import tsx bench/config-scale.bench.ts [rounds]
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { loadService } from "../src/config/load.js";
import { parseObjectPath } from "../src/core/object-path.js";
import { pathsFor } from "../src/core/paths.js";
import { manyKeys, manySections } from "../test/helpers/big-config.js";

const rounds = Number(process.argv[2] ?? 3);
const ctx = { nodename: "n1", paths: pathsFor("/r") };
const best = (xs: number[]) => Math.min(...xs);
/** CPU time (user + system): other processes on a busy machine do not inflate it as they do wall time. */
const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

function loadMs(text: string): number {
  const t = process.cpuUsage();
  loadService(parseObjectPath("big"), "/r/etc/big.conf", text, ctx);
  return cpuMs(process.cpuUsage(t));
}

function inProcess(label: string, make: (n: number) => string, n: number): void {
  const small = make(n);
  const large = make(10 * n);
  loadMs(small); // JIT warm-up
  const s = best(Array.from({ length: rounds }, () => loadMs(small)));
  const l = best(Array.from({ length: rounds }, () => loadMs(large)));
  const ratio = l / s;
  console.log(`${label.padEnd(12)} ${String(n).padStart(7)}: ${s.toFixed(0).padStart(6)} ms   ${String(10 * n).padStart(7)}: ${l.toFixed(0).padStart(6)} ms   ratio ${ratio.toFixed(1)}x (linear ~10, quadratic ~100) ${ratio <= 20 ? "OK" : "SUPERLINEAR"}`);
}

function wallMs(args: string[]): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function endToEnd(): void {
  const root = mkdtempSync(join(tmpdir(), "svcmgr-bench-"));
  try {
    mkdirSync(join(root, "etc"));
    const file = join(root, "etc", "big.conf");
    writeFileSync(file, manySections(10_000));
    for (const p of [root, join(root, "etc")]) chmodSync(p, 0o755);
    chmodSync(file, 0o644);
    const cli = [join(import.meta.dirname, "..", "dist", "svcmgr.cjs"), "--root", root, "-s", "big", "validate", "config"];
    const read = ["-e", `require("fs").readFileSync(${JSON.stringify(file)}, "utf8").split("\\n")`];
    const base: number[] = [];
    const bytes: number[] = [];
    const run: number[] = [];
    for (let i = 0; i < rounds; i++) {
      base.push(wallMs(["-e", "0"]));
      bytes.push(wallMs(read));
      run.push(wallMs(cli));
    }
    const net = best(run) - best(base);
    console.log(`file: 10,000 task sections, ${(readFileSync(file).length / 1024).toFixed(0)} KiB`);
    console.log(`node -e 0 (baseline)                        ${best(base).toFixed(0)} ms`);
    console.log(`node reading the same bytes into lines      ${best(bytes).toFixed(0)} ms`);
    console.log(`svcmgr -s big validate config               ${best(run).toFixed(0)} ms`);
    console.log(`svcmgr minus node start-up (target <= 1 s)  ${net.toFixed(0)} ms ${net <= 1000 ? "OK" : "OVER TARGET"}`);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

console.log(`best of ${rounds} rounds; load average ${loadavg()[0]!.toFixed(1)} (wall times below grow with it)`);
console.log("in process (CPU time): parse + load + validate");
inProcess("sections", manySections, 1_000);
inProcess("keys", manyKeys, 10_000);
endToEnd();
