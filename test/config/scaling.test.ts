import { test } from "node:test";
import assert from "node:assert/strict";
import { loadService } from "../../src/config/load.js";
import { parseObjectPath } from "../../src/core/object-path.js";
import { pathsFor } from "../../src/core/paths.js";
import { manyKeys, manySections } from "../helpers/big-config.js";

/**
 * Reading, loading and validating a config is linear in its size: ten times the sections or
 * keys cost about ten times as much, never the hundred times of a quadratic step. Absolute
 * times depend on the machine; the ratio of two sizes measured side by side does not.
 */

const ctx = { nodename: "n1", paths: pathsFor("/r") };
const load = (text: string) => loadService(parseObjectPath("big"), "/r/etc/big.conf", text, ctx);

/** CPU time (user + system): other processes on a busy machine do not inflate it as they do wall time. */
const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

/** Best of a few runs: the least disturbed by other load on the machine. */
function bestMs(text: string, rounds = 3): number {
  let best = Infinity;
  for (let i = 0; i < rounds; i++) {
    const t = process.cpuUsage();
    load(text);
    best = Math.min(best, cpuMs(process.cpuUsage(t)));
  }
  return best;
}

/** time(10n) / time(n): about 10 when linear, about 100 when quadratic. */
function growth(make: (n: number) => string, n: number): number {
  const small = make(n);
  const large = make(10 * n);
  bestMs(small, 1); // warm up the JIT on the small input
  return bestMs(large) / bestMs(small);
}

test("10x the sections cost well under 100x (linear, not quadratic)", (t) => {
  const r = growth(manySections, 1000);
  t.diagnostic(`ratio ${r.toFixed(1)}`);
  assert.ok(r < 40, `time(10000 sections) / time(1000 sections) = ${r.toFixed(1)}`);
});

test("10x the keys in one section cost well under 100x (linear, not quadratic)", (t) => {
  const r = growth(manyKeys, 5000);
  t.diagnostic(`ratio ${r.toFixed(1)}`);
  assert.ok(r < 40, `time(50000 keys) / time(5000 keys) = ${r.toFixed(1)}`);
});

test("a large config still loads correctly: every section, every requirement, every scoped key", () => {
  const secs = load(manySections(3000));
  assert.equal(secs.config.rids("task").length, 3000);
  assert.deepEqual(secs.alerts, []);
  const keys = load(manyKeys(3000));
  assert.deepEqual(keys.alerts, []);
  assert.equal(keys.config.doc.sections[1]!.entries.length, 3001);
  assert.equal(keys.config.text("task#0", "command")!.text, "echo");
});

test("an unknown rid in run_requires names a few of the service's rids, not all of them", () => {
  const { alerts } = load(manySections(50).replace("run_requires = task#0(up)", "run_requires = task#nope(up)"));
  const err = alerts.find((a) => a.level === "error");
  assert.ok(err !== undefined);
  assert.match(err.message, /unknown rid "task#nope".*task#0, task#1, .* and 40 more$/);
});
