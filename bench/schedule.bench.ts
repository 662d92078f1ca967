// Schedule engine throughput. Run: node --import tsx bench/schedule.bench.ts
// Each figure is measured in this run, next to a baseline measured the same way.
import { Cron } from "croner";
import { parseSchedule } from "../src/schedule/index.js";
import { bindSchedule, compileExpression } from "../src/schedule/factory.js";

const OPENSVC = [
  "@10", "@1h", "09:00-18:00@30 mon-fri", "~00:00-06:00 sat", "02:00-04:00@121 fri:last",
  '["00:00-01:00@61 mon", "02:00-03:00@61 tue-sun"]', '["@60", "! 12:00-14:00"]', "* * * %2+1,feb-apr",
  "23:00-01:00@15 *:1,*:-1", "08:00-20:00@2h * 1-26", "18:00 wed", "* *:last",
];
const CRON = ["30 2 * * *", "*/5 * * * *", "0 9 * * 1-5", "15 */3 * * *", "0 0 1 * *", "0 0 * * 5L"];
const ZONE = "Europe/Paris";
const START = Date.UTC(2025, 0, 1);
const STEP = 7_919_000; // ~2.2 h, co-prime with days: instants sweep every time of day and both DST changes
const N_INSTANTS = 4096;
const instants = Array.from({ length: N_INSTANTS }, (_, i) => new Date(START + i * STEP));

/** Runs fn(i) for about `ms` milliseconds; returns operations per second. */
function measure(ms: number, fn: (i: number) => unknown): number {
  for (let i = 0; i < 2000; i++) fn(i);
  let ops = 0;
  let sink = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms) {
    for (let k = 0; k < 1000; k++, ops++) sink += fn(ops) === null ? 0 : 1;
    t = performance.now();
  }
  if (sink < 0) console.log(sink);
  return (ops / (t - t0)) * 1000;
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
const OPENSVC_PY_REFERENCE = 5_400;

function benchOpensvc(): void {
  const cached = measure(2000, (i) => {
    const at = instants[i % N_INSTANTS]!;
    const s = parseSchedule(OPENSVC[i % OPENSVC.length]!, { timezone: ZONE, splayKey: "node/svc/task#0" });
    return s.next(at, i % 3 === 0 ? null : new Date(at.getTime() - 600_000));
  });
  const uncached = measure(2000, (i) => {
    const at = instants[i % N_INSTANTS]!;
    const expr = OPENSVC[i % OPENSVC.length]!;
    const s = bindSchedule(expr, compileExpression(expr), ZONE, `task#${i}`);
    return s.next(at, i % 3 === 0 ? null : new Date(at.getTime() - 600_000));
  });
  const trivial = measure(1000, (i) => Date.parse(instants[i % N_INSTANTS]!.toISOString()));
  console.log(`OpenSVC parse+next, ${OPENSVC.length} expressions, ${ZONE}`);
  console.log(`  parse (cached) + next   ${fmt(cached)} ops/s   ${(cached / OPENSVC_PY_REFERENCE).toFixed(1)}x OpenSVC py (${fmt(OPENSVC_PY_REFERENCE)}/s)`);
  console.log(`  parse (no cache) + next ${fmt(uncached)} ops/s   ${(uncached / OPENSVC_PY_REFERENCE).toFixed(1)}x OpenSVC py`);
  console.log(`  baseline Date.parse(toISOString()) ${fmt(trivial)} ops/s; engine costs ${(trivial / cached).toFixed(1)}x (cached) / ${(trivial / uncached).toFixed(1)}x (no cache) that`);
}

function benchCron(): void {
  const ours = CRON.map((p) => parseSchedule(p, { timezone: ZONE }));
  const direct = CRON.map((p) => new Cron(p, { timezone: ZONE }));
  const oursOps = measure(2000, (i) => ours[i % CRON.length]!.next(instants[i % N_INSTANTS]!));
  const croOps = measure(2000, (i) => direct[i % CRON.length]!.nextRun(instants[i % N_INSTANTS]!));
  console.log(`cron next(), ${CRON.length} patterns, ${ZONE}`);
  console.log(`  svcmgr next()           ${fmt(oursOps)} ops/s`);
  console.log(`  croner nextRun() direct ${fmt(croOps)} ops/s (baseline, same patterns and instants)`);
  console.log(`  time ratio svcmgr/croner ${(croOps / oursOps).toFixed(2)} (target <= 1.5)`);
}

/** Expressions that never match, and rare ones (a run years ahead): no horizon, no walk. */
const NEVER = ["* *:31 * feb", "* *:30 * feb", '["* * * feb", "! * * * feb"]', "* fri:13 1 jan", "10:00 mon:-30 * feb", "0 0 30 2 *", "0 0 31 4 *"];
const RARE = ["* mon:29 * feb", "* *:29 * feb", "10:00 sat:first,sun:last * 1", "* * 53", "23:00 *:31 * dec", "0 0 29 2 *"];
const LONG = ["@800d", "@60w", "*@500d"];
const NEVER_RARE = [...NEVER, ...RARE, ...LONG];

function benchNeverRare(): void {
  const run = (list: readonly string[], i: number, parse: (e: string) => ReturnType<typeof parseSchedule>) => {
    const at = instants[i % N_INSTANTS]!;
    const expr = list[i % list.length]!;
    return parse(expr).next(at, LONG.includes(expr) ? new Date(at.getTime() - 600_000) : null);
  };
  const cachedParse = (e: string) => parseSchedule(e, { timezone: ZONE, splayKey: "node/svc/task#0" });
  const freshParse = (e: string) => bindSchedule(e, compileExpression(e), ZONE, "node/svc/task#0");
  const common = measure(2000, (i) => run(OPENSVC, i, cachedParse));
  const mix = measure(2000, (i) => run(NEVER_RARE, i, cachedParse));
  const fresh = measure(2000, (i) => run(NEVER_RARE, i, freshParse));
  console.log(`never-matching and rare parse+next, ${NEVER.length} never / ${RARE.length} rare / ${LONG.length} long-interval expressions, ${ZONE}`);
  console.log(`  parse (cached) + next   ${fmt(mix)} ops/s   ${(mix / common).toFixed(2)}x the common expressions (goal >= 50,000/s)`);
  console.log(`  parse (no cache) + next ${fmt(fresh)} ops/s   ${(fresh / common).toFixed(2)}x the common expressions`);
  console.log(`  baseline: the ${OPENSVC.length} common OpenSVC expressions, parse (cached) + next ${fmt(common)} ops/s`);
}

export function main(): void {
  benchOpensvc();
  benchCron();
  benchNeverRare();
}

main();
