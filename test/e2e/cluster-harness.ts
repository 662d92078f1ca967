/**
 * A cluster of real daemons on one machine: one `--root` per node, its name and `[cluster]` in
 * its node.conf, the same service files everywhere, one etcd. Tasks append
 * `$SVCMGR_SCHEDULED_FOR $SVCMGR_NODENAME $SVCMGR_FENCING_TOKEN $SVCMGR_SVCNAME $SVCMGR_RID` to one shared file:
 * the runs are counted per slot from the tasks' own output.
 */
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestContext } from "node:test";
import { Daemon } from "./daemon-harness.js";
import { makeRoot, type TestRoot } from "./helpers.js";

export interface Run {
  readonly slot: string;
  readonly node: string;
  readonly token: string;
  readonly svc: string;
  readonly rid: string;
}

export class ClusterNode {
  daemon: Daemon | null = null;
  constructor(readonly name: string, readonly root: TestRoot) {}

  start(): Daemon {
    this.daemon = Daemon.start(this.root);
    return this.daemon;
  }

  /** kill -9: no goodbye, its lease expires by itself. */
  async kill9(): Promise<void> {
    await this.daemon?.stop("SIGKILL");
    this.daemon = null;
  }

  signal(sig: NodeJS.Signals): void {
    process.kill(this.daemon!.pid, sig);
  }
}

export interface TestCluster {
  readonly nodes: readonly ClusterNode[];
  /** The shared output file's runs, in order of writing. */
  runs(): Run[];
  /** The command that appends a run line (for a task's `command`). */
  readonly record: string;
}

/** `services`: name → conf text (`{record}` in it is replaced by the command that appends a run line). */
export function makeCluster(t: TestContext, etcdUrl: string, names: readonly string[], services: Readonly<Record<string, string>>, ttl = "2s"): TestCluster {
  const shared = mkdtempSync(join(tmpdir(), "svcmgr-cluster-out-"));
  chmodSync(shared, 0o755);
  const out = join(shared, "runs.txt");
  const record = `sh -c 'echo "$SVCMGR_SCHEDULED_FOR $SVCMGR_NODENAME \${SVCMGR_FENCING_TOKEN:--} $SVCMGR_SVCNAME $SVCMGR_RID" >> ${out}'`;
  const cluster = `c${process.pid}x${Math.random().toString(36).slice(2, 8)}`;
  const nodes = names.map((name) => {
    const root = makeRoot();
    root.writeConf("node", `[node]\nname = ${name}\n\n[cluster]\nname = ${cluster}\netcd = ${etcdUrl}\nlease_ttl = ${ttl}\n`);
    for (const [svc, text] of Object.entries(services)) root.writeConf(svc, text.replaceAll("{record}", record));
    return new ClusterNode(name, root);
  });
  t.after(async () => {
    await Promise.all(nodes.map((n) => n.daemon?.stop("SIGKILL").catch(() => undefined)));
    for (const n of nodes) n.root.cleanup();
    rmSync(shared, { recursive: true, force: true });
  });
  const runs = (): Run[] => {
    if (!existsSync(out)) return [];
    return readFileSync(out, "utf8").split("\n").filter((l) => l !== "").map((l) => {
      const [slot, node, token, svc, rid] = l.split(" ") as [string, string, string, string, string];
      return { slot, node, token, svc, rid };
    });
  };
  return { nodes, runs, record };
}

/** Slots (per rid) that ran more than once, with the nodes that ran them. */
export function doubles(runs: readonly Run[]): string[] {
  const by = new Map<string, string[]>();
  for (const r of runs) by.set(`${r.svc} ${r.rid} ${r.slot}`, [...(by.get(`${r.svc} ${r.rid} ${r.slot}`) ?? []), r.node]);
  return [...by].filter(([, n]) => n.length > 1).map(([k, n]) => `${k} ran on ${n.join(", ")}`);
}

export async function waitUntil(what: string, cond: () => boolean, timeoutMs: number, show: () => string = () => ""): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${show()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
