/**
 * The cluster's reliability figure (issue 18), after `npm run build`, with etcd-server installed:
 *   node --import tsx bench/cluster-soak.ts [--slots 1000] [--every 20] [--ttl 10]
 *
 * Three real daemons (three --root, node names n1 n2 n3) and one throw-away etcd started here
 * run one failover service whose task, scheduled `*\/2 * * * * *` with `catchup = all`,
 * appends `$SVCMGR_SCHEDULED_FOR $SVCMGR_NODENAME <wall time>` to a shared file. Every `--every`
 * seconds (plus a random 0–2 s, so disruptions fall anywhere in the slot period) a random daemon
 * (half of the time the owner) is hit: `kill -9` (restarted 2 s later) or SIGSTOP (SIGCONT after the
 * lease TTL + 3 s, so its lease has expired and another node took over). The run lasts
 * `--slots` × 2 s; then, from the tasks' own output:
 * - doubled slots: slots with more than one line (target 0);
 * - lost slots: slots between the first and the last line with no line at all (target 0:
 *   `catchup = all` runs every slot missed during a hand-over, up to 24 of them), split by
 *   what etcd says: claimed by a node that then did not run it (killed between its claim and
 *   the task's start: a slot runs at most once, so nobody runs it again), or never claimed;
 * - hand-over time: for each change of node, the wall time of the new node's first run minus
 *   the instant of the first slot the old node did not run (target ≤ TTL + 2 s), p50 and max.
 */
import { appendFileSync, chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeRoot, type TestRoot } from "../test/e2e/helpers.js";
import { Daemon } from "../test/e2e/daemon-harness.js";
import { TestEtcd } from "../test/helpers/etcd.js";
import { createEtcdClient } from "../src/platform/etcd-client.js";
import { clusterKeys } from "../src/cluster/keys.js";
import { arg } from "./args.js";

const SLOTS = Number(arg("slots", "1000"));
const EVERY_S = Number(arg("every", "20"));
const TTL_S = Number(arg("ttl", "10"));
const SLOT_S = 2;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Node {
  readonly name: string;
  readonly root: TestRoot;
  daemon: Daemon | null;
}

interface Line {
  readonly slot: number;
  readonly node: string;
  readonly wall: number;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function readLines(file: string): Line[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "").map((l) => {
    const [slot, node, wall] = l.split(" ");
    return { slot: Date.parse(slot!), node: node!, wall: Number(wall) * 1000 };
  });
}

/** Doubled slots, lost slots (gaps between the first and last slot seen) and hand-over delays. */
export function analyse(lines: readonly Line[]): { slots: number; doubled: string[]; lost: string[]; handovers: number[] } {
  const bySlot = new Map<number, Line[]>();
  for (const l of lines) bySlot.set(l.slot, [...(bySlot.get(l.slot) ?? []), l]);
  const slots = [...bySlot.keys()].sort((a, b) => a - b);
  const doubled = [...bySlot].filter(([, ls]) => ls.length > 1).map(([s, ls]) => `${new Date(s).toISOString()} ran on ${ls.map((l) => l.node).join(", ")}`);
  const lost: string[] = [];
  const handovers: number[] = [];
  for (let i = 1; i < slots.length; i++) {
    for (let s = slots[i - 1]! + SLOT_S * 1000; s < slots[i]!; s += SLOT_S * 1000) lost.push(new Date(s).toISOString());
  }
  // Where the node changes (in slot order), the first slot after the old node's last one waited for the new node.
  for (let i = 1; i < slots.length; i++) {
    const prev = bySlot.get(slots[i - 1]!)![0]!;
    const cur = bySlot.get(slots[i]!)![0]!;
    if (cur.node === prev.node) continue;
    // Catch-up runs the missed slots oldest first: `cur` is the new node's first run.
    handovers.push(Math.max(0, cur.wall - (prev.slot + SLOT_S * 1000)));
  }
  return { slots: slots.length, doubled, lost, handovers };
}

async function main(): Promise<void> {
  const etcd = await TestEtcd.start();
  const shared = mkdtempSync(join(tmpdir(), "svcmgr-soak-out-"));
  chmodSync(shared, 0o755);
  const out = join(shared, "runs.txt");
  const cluster = `soak${process.pid}`;
  const record = `sh -c 'echo "$SVCMGR_SCHEDULED_FOR $SVCMGR_NODENAME $(date +%s.%N)" >> ${out}'`;
  const service = `[DEFAULT]\nnodes = n1 n2 n3\n\n[task#tick]\ncommand = ${record}\nschedule = */${SLOT_S} * * * * *\ncatchup = all\n`;
  const nodes: Node[] = ["n1", "n2", "n3"].map((name) => {
    const root = makeRoot();
    root.writeConf("node", `[node]\nname = ${name}\n\n[cluster]\nname = ${cluster}\netcd = ${etcd.url}\nlease_ttl = ${TTL_S}s\n`);
    root.writeConf("soak", service);
    return { name, root, daemon: null };
  });
  const events: string[] = [];
  const note = (text: string) => {
    const line = `${new Date().toISOString()} ${text}`;
    events.push(line);
    appendFileSync(join(shared, "events.txt"), line + "\n");
    console.log(line);
  };
  const all: { name: string; daemon: Daemon }[] = [];
  const start = (n: Node) => {
    n.daemon = Daemon.start(n.root);
    all.push({ name: n.name, daemon: n.daemon });
  };
  try {
    for (const n of nodes) start(n);
    const durationMs = SLOTS * SLOT_S * 1000;
    const began = Date.now();
    console.log(`cluster soak: ${SLOTS} slots (${Math.round(durationMs / 60000)} min), a disruption every ${EVERY_S} s, lease TTL ${TTL_S} s, etcd ${etcd.url}, output ${out}`);
    let kills = 0;
    let freezes = 0;
    while (Date.now() - began < durationMs) {
      // A random phase in the 2 s slot period: a disruption lands anywhere between two slots, not always just after one.
      await sleep(Math.min(EVERY_S * 1000 + Math.floor(Math.random() * SLOT_S * 1000), durationMs - (Date.now() - began)));
      if (Date.now() - began >= durationMs) break;
      const owner = readLines(out).at(-1)?.node;
      // Half of the time the owner (a hand-over), else any node.
      const victim = Math.random() < 0.5 && owner !== undefined ? nodes.find((n) => n.name === owner)! : nodes[Math.floor(Math.random() * nodes.length)]!;
      const d = victim.daemon!;
      if (Math.random() < 0.5) {
        kills++;
        note(`kill -9 ${victim.name} (pid ${d.pid})${victim.name === owner ? " (owner)" : ""}`);
        await d.stop("SIGKILL");
        await sleep(2000);
        start(victim);
        note(`restarted ${victim.name}`);
      } else {
        freezes++;
        note(`SIGSTOP ${victim.name} (pid ${d.pid})${victim.name === owner ? " (owner)" : ""} for ${TTL_S + 3} s`);
        process.kill(d.pid, "SIGSTOP");
        await sleep((TTL_S + 3) * 1000);
        process.kill(d.pid, "SIGCONT");
        note(`SIGCONT ${victim.name}`);
      }
    }
    await sleep((TTL_S + 4) * 1000); // the last hand-over's catch-up
    const lines = readLines(out);
    const a = analyse(lines.filter((l) => l.slot <= began + durationMs));
    const sorted = [...a.handovers].sort((x, y) => x - y);
    const keys = clusterKeys(cluster);
    const prefix = keys.slotsPrefix("soak", "task#tick");
    const claims = new Map((await createEtcdClient({ endpoints: [etcd.url] }).range(prefix, { prefix: true })).kvs.map((kv) => [kv.key.slice(prefix.length), (JSON.parse(kv.value) as { node: string }).node]));
    const claimedNotRun = a.lost.filter((s) => claims.has(s.replace(/\.000Z$/, "Z")));
    console.log(`\nslots run: ${a.slots} (lines ${lines.length}); disruptions: ${kills} kill -9, ${freezes} SIGSTOP`);
    console.log(`doubled slots: ${a.doubled.length} (target 0)${a.doubled.length > 0 ? `\n  ${a.doubled.slice(0, 20).join("\n  ")}` : ""}`);
    console.log(`lost slots: ${a.lost.length} (target 0; catchup = all): ${claimedNotRun.length} claimed in etcd by a node that did not run it, ${a.lost.length - claimedNotRun.length} never claimed${a.lost.length > 0 ? `\n  ${a.lost.slice(0, 20).map((s) => `${s}${claims.has(s.replace(/\.000Z$/, "Z")) ? ` claimed by ${claims.get(s.replace(/\.000Z$/, "Z"))}` : " never claimed"}`).join("\n  ")}` : ""}`);
    console.log(`hand-overs: ${sorted.length}, time p50 ${(quantile(sorted, 0.5) / 1000).toFixed(2)} s, max ${(quantile(sorted, 1) / 1000).toFixed(2)} s (target ≤ TTL + 2 = ${TTL_S + 2} s)`);
    console.log(JSON.stringify({ slots: a.slots, kills, freezes, doubled: a.doubled.length, lost: a.lost.length, lostClaimedNotRun: claimedNotRun.length, handovers: sorted.length, handoverP50S: quantile(sorted, 0.5) / 1000, handoverMaxS: quantile(sorted, 1) / 1000, ttlS: TTL_S }));
    process.exitCode = a.doubled.length === 0 && a.lost.length === 0 ? 0 : 1;
  } finally {
    for (const n of nodes) {
      if (n.daemon !== null) {
        try {
          process.kill(n.daemon.pid, "SIGCONT");
        } catch {
          // gone
        }
        await n.daemon.stop("SIGKILL").catch(() => undefined);
      }
      n.root.cleanup();
    }
    await etcd.stop();
    if (process.env.KEEP === undefined) rmSync(shared, { recursive: true, force: true });
    else {
      // Each daemon's log (one file per start), for a look at what happened around a figure.
      all.forEach((d, i) => appendFileSync(join(shared, `daemon-${d.name}-${i}.log`), d.daemon.events.map((e) => JSON.stringify(e)).join("\n") + "\n"));
      console.log(`kept ${shared}`);
    }
  }
}

void main();
