/**
 * `svcmgr -s SVC run --rid task#0` with `command = /bin/true`, against `node -e 0`, measured
 * interleaved in the same run so machine noise hits both alike. Target: median ratio ≤ 1.5.
 * Run after `npm run build`: node --import tsx bench/cli-run.bench.ts [rounds]
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const rounds = Number(process.argv[2] ?? 40);
const root = mkdtempSync(join(tmpdir(), "svcmgr-bench-"));
mkdirSync(join(root, "etc"));
writeFileSync(join(root, "etc", "bench.conf"), "[task#0]\ncommand = /bin/true\n");
chmodSync(root, 0o755);
chmodSync(join(root, "etc"), 0o755);
chmodSync(join(root, "etc", "bench.conf"), 0o644);

const cli = [join(import.meta.dirname, "..", "dist", "svcmgr.cjs"), "--root", root, "-s", "bench", "run", "--rid", "task#0"];

function time(args: string[]): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"] });
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

try {
  for (let i = 0; i < 3; i++) time(["-e", "0"]), time(cli); // warm the page cache
  const base: number[] = [];
  const run: number[] = [];
  for (let i = 0; i < rounds; i++) {
    base.push(time(["-e", "0"]));
    run.push(time(cli));
  }
  const ratio = median(run) / median(base);
  console.log(`rounds                               ${rounds}`);
  console.log(`node -e 0 (baseline), median         ${median(base).toFixed(1)} ms`);
  console.log(`svcmgr -s bench run --rid task#0     ${median(run).toFixed(1)} ms`);
  console.log(`ratio (target <= 1.5)                ${ratio.toFixed(2)}x ${ratio <= 1.5 ? "OK" : "OVER TARGET"}`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
