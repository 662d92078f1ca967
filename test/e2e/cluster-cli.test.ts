/**
 * Issue 18, from the command line against a real etcd: `svcmgr cluster status` (text and JSON),
 * a manual run of a failover service refused on a node that does not own it (naming the owner),
 * `--force` running it anyway and recorded as forced, the same through the daemon
 * (`run --detach`) and for a one-off (`exec`), and `svcmgr -s X takeover` moving ownership from another member. The other
 * node's side is a real ClusterMember (src/cluster) in this process, on the same etcd.
 */
import { after, describe, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { createEtcdClient } from "../../src/platform/etcd-client.js";
import type { EtcdClient } from "../../src/cluster/etcd.js";
import { clusterKeys } from "../../src/cluster/keys.js";
import { ownerValue } from "../../src/cluster/ownership.js";
import { ClusterMember } from "../../src/cluster/member.js";
import { etcdUrlFor, skipUnlessEtcd } from "../helpers/etcd.js";
import { hasStackTrace, makeRoot, type TestRoot } from "./helpers.js";
import { Daemon, killAllDaemons } from "./daemon-harness.js";

after(() => killAllDaemons());

interface Setup {
  readonly root: TestRoot;
  readonly etcd: EtcdClient;
  readonly cluster: string;
  readonly out: string;
}

/** Node n1's root in a fresh cluster; service `db` (nodes n2 n1) whose task appends a line to `out`. */
async function setup(t: TestContext, etcdUrl?: string): Promise<Setup> {
  const url = etcdUrl ?? (await etcdUrlFor(t));
  const cluster = `cli${process.pid}x${Math.random().toString(36).slice(2, 8)}`;
  const root = makeRoot(t);
  const out = root.path("ran.txt");
  root.writeConf("node", `[node]\nname = n1\n\n[cluster]\nname = ${cluster}\netcd = ${url}\n`);
  root.writeConf("db", `[DEFAULT]\nnodes = n2 n1\n\n[task#0]\ncommand = sh -c 'echo ran >> ${out}'\n`);
  root.writeConf("web", `[DEFAULT]\nnodes = n1 n2\ntopology = flex\n\n[task#0]\ncommand = true\n`);
  const etcd = createEtcdClient({ endpoints: [url], timeoutMs: 1000 });
  t.after(() => etcd.deleteRange(`/svcmgr/${cluster}/`, { prefix: true }).catch(() => undefined));
  return { root, etcd, cluster, out };
}

/** Makes `node` the owner of `svc` (and alive), as its daemon would: both keys on one lease. */
async function own(s: Setup, node: string, svc: string): Promise<{ token: number; lease: string }> {
  const keys = clusterKeys(s.cluster);
  const lease = (await s.etcd.leaseGrant(30)).id;
  await s.etcd.put(keys.node(node), JSON.stringify({ node }), { lease });
  const { revision } = await s.etcd.put(keys.owner(svc), ownerValue(node, lease), { lease });
  return { token: revision, lease };
}

const ran = (s: Setup) => (existsSync(s.out) ? readFileSync(s.out, "utf8").split("\n").filter((l) => l !== "").length : 0);

describe("cluster from the command line", { skip: skipUnlessEtcd(), concurrency: 2 }, () => {
  test("cluster status lists nodes with liveness, owners and tokens (text and JSON)", async (t) => {
    const s = await setup(t);
    const { token } = await own(s, "n2", "db");
    const json = await s.root.run(["cluster", "status", "--format", "json"]);
    assert.equal(json.status, 0, json.stderr);
    assert.deepEqual(JSON.parse(json.stdout), {
      nodes: [{ name: "n1", alive: false }, { name: "n2", alive: true }],
      services: [{ path: "db", topology: "failover", owner: "n2", token }, { path: "web", topology: "flex", owner: null, token: null }],
    });
    const text = await s.root.run(["cluster", "status"]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`^cluster ${s.cluster}, seen from n1`, "m"));
    assert.match(text.stdout, /^n2\s+yes$/m);
    assert.match(text.stdout, /^n1\s+no$/m);
    assert.match(text.stdout, new RegExp(`^db\\s+failover\\s+n2\\s+${token}$`, "m"));
    assert.match(text.stdout, /^web\s+flex\s+\(flex: every node\)\s+-$/m);
  });

  test("without [cluster], or with etcd unreachable: a clear error, no stack trace", async (t) => {
    const lone = makeRoot(t);
    const r = await lone.run(["cluster", "status"]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /this node is in no cluster: node\.conf \(.*node\.conf\) sets no \[cluster\] etcd/);
    const s = await setup(t, "http://127.0.0.1:9");
    const down = await s.root.run(["cluster", "status"]);
    assert.equal(down.status, 1);
    assert.match(down.stderr, new RegExp(`svcmgr: cluster ${s.cluster}: etcd unavailable \\(http://127\\.0\\.0\\.1:9: `));
    assert.ok(!hasStackTrace(down.stderr), down.stderr);
    const run = await s.root.runTasks("db");
    assert.equal(run.status, 1);
    assert.match(run.stderr, /db: not run on n1: its owner cannot be confirmed: etcd cannot be reached .*--force runs it here anyway/);
    assert.equal(ran(s), 0);
  });

  test("a manual run on a non-owner is refused naming the owner; --force runs it, recorded as forced", async (t) => {
    const s = await setup(t);
    const { token } = await own(s, "n2", "db");
    const refused = await s.root.runTasks("db");
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, new RegExp(`svcmgr: db: not run on n1: it is owned by n2 \\(fencing token ${token}\\); run it on n2, or move it here with 'svcmgr -s db takeover'; --force runs it here anyway \\(recorded as forced\\)`));
    assert.equal(ran(s), 0, "nothing ran");
    assert.equal(s.root.history("db").length, 0, "nothing recorded");
    const forced = await s.root.runTasks("db", ["--force"]);
    assert.equal(forced.status, 0, forced.stderr);
    assert.equal(ran(s), 1);
    const [rec] = s.root.history("db");
    assert.equal(rec?.status, "succeeded");
    assert.match(rec?.initiatedBy ?? "", /^\S+ \(forced on n1: owner n2\)$/);
    // A flex service, and a failover service this node owns, run without a word.
    assert.equal((await s.root.runTasks("web")).status, 0);
    await own(s, "n1", "other");
    s.root.writeConf("other", `[DEFAULT]\nnodes = n1 n2\n\n[task#0]\ncommand = true\n`);
    const mine = await s.root.runTasks("other");
    assert.equal(mine.status, 0, mine.stderr);
    assert.doesNotMatch(s.root.history("other")[0]?.initiatedBy ?? "", /forced/);
  });

  test("run --detach through the daemon: refused (409 naming the owner) unless forced", async (t) => {
    const s = await setup(t);
    await own(s, "n2", "db");
    const d = Daemon.start(s.root);
    t.after(() => d.stop("SIGKILL").catch(() => undefined));
    await d.waitEvent("the API listening", (e) => e.event === "api-listening", 15_000);
    let refused = await s.root.runTasks("db", ["--detach"]);
    // The API answers before the services are loaded: until then db is unknown (404).
    for (let i = 0; i < 50 && /no valid service db/.test(refused.stderr); i++) refused = await s.root.runTasks("db", ["--detach"]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, /db: the daemon refused the run: db: not run on n1: it is owned by n2 .*"force": true \(run --detach --force\) runs it here anyway/);
    const forced = await s.root.runTasks("db", ["--detach", "--wait", "--force"]);
    assert.equal(forced.status, 0, forced.stderr);
    assert.equal(ran(s), 1);
    assert.match(s.root.history("db")[0]?.initiatedBy ?? "", /^root \(forced on n1: owner n2\)$/);
  });

  test("exec of a failover service on a non-owner: refused naming the owner (nothing ran) unless --force, recorded as forced", async (t) => {
    const s = await setup(t);
    await own(s, "n2", "db");
    const d = Daemon.start(s.root);
    t.after(() => d.stop("SIGKILL").catch(() => undefined));
    await d.waitEvent("the API listening", (e) => e.event === "api-listening", 15_000);
    const exec = (extra: string[]) => s.root.run(["-s", "db", "exec", "--wait", ...extra, "--", "sh", "-c", `echo exec >> ${s.out}`]);
    let refused = await exec([]);
    // The API answers before the services are loaded: until then db is unknown (404).
    for (let i = 0; i < 50 && /no valid service db/.test(refused.stderr); i++) refused = await exec([]);
    assert.equal(refused.status, 1, refused.stderr);
    assert.match(refused.stderr, /db: the daemon refused the command: db: not run on n1: it is owned by n2 .*"force": true \(exec --force\) runs it here anyway/);
    assert.equal(hasStackTrace(refused.stderr), false);
    assert.equal(ran(s), 0, "nothing ran");
    assert.equal(s.root.history("db").length, 0, "nothing recorded");
    const forced = await exec(["--force"]);
    assert.equal(forced.status, 0, forced.stderr);
    assert.equal(ran(s), 1);
    const rec = s.root.history("db")[0];
    assert.equal(rec?.trigger, "oneoff");
    assert.match(rec?.initiatedBy ?? "", /^root \(forced on n1: owner n2\)$/);
  });

  test("takeover moves ownership to this node gracefully; refused when this node is not alive", async (t) => {
    const s = await setup(t);
    const notAlive = await s.root.run(["-s", "db", "takeover"]);
    assert.equal(notAlive.status, 1);
    assert.match(notAlive.stderr, new RegExp(`db: no takeover: this node \\(n1\\) is not alive in cluster ${s.cluster}: its daemon must run`));
    const n2 = member(t, s, "n2");
    await waitFor("n2 owns db", async () => (await status(s)).services.find((x) => x.path === "db")?.owner === "n2");
    member(t, s, "n1");
    await waitFor("n1 alive", async () => (await status(s)).nodes.some((n) => n.name === "n1" && n.alive));
    const before = (await status(s)).services.find((x) => x.path === "db")!;
    const r = await s.root.run(["-s", "db", "takeover", "--timeout", "20s"]);
    assert.equal(r.status, 0, r.stderr);
    const after = (await status(s)).services.find((x) => x.path === "db")!;
    assert.equal(after.owner, "n1");
    assert.ok(after.token! > before.token!, "a new fencing token");
    assert.equal(r.stdout, `db: now owned by n1 (fencing token ${after.token}), was n2\n`);
    assert.equal(n2.token("db"), null, "n2 no longer vouches for db");
    const again = await s.root.run(["-s", "db", "takeover"]);
    assert.equal(again.stdout, `db: already owned by n1 (fencing token ${after.token})\n`);
    const flex = await s.root.run(["-s", "web", "takeover"]);
    assert.equal(flex.status, 1);
    assert.match(flex.stderr, /web: no takeover: a flex service has no owner/);
  });
});

function member(t: TestContext, s: Setup, name: string): ClusterMember {
  const m = new ClusterMember(
    { etcd: s.etcd, monotonic: () => performance.now(), setTimer: (ms, fire) => { const h = setTimeout(fire, ms); return { cancel: () => clearTimeout(h) }; }, log: () => undefined },
    { cluster: s.cluster, node: name, ttlS: 2 },
  );
  m.setServices([{ path: "db", nodes: ["n2", "n1"] }]);
  m.start();
  t.after(() => m.stop());
  return m;
}

async function status(s: Setup): Promise<{ nodes: { name: string; alive: boolean }[]; services: { path: string; owner: string | null; token: number | null }[] }> {
  const r = await s.root.run(["cluster", "status", "--format", "json"]);
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

async function waitFor(what: string, cond: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
