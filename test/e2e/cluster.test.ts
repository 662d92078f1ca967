/**
 * Clusters of real daemons (three `--root`s, node names in node.conf) on a real etcd, with real
 * failures: kill -9 of the owner, a frozen owner (SIGSTOP past its lease TTL, then SIGCONT),
 * etcd killed and restarted mid-run, flex services with run_once = cluster. Every test counts
 * the runs per slot from the tasks' own output and requires 0 doubles. Lease TTLs are 3 s.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { records } from "./daemon-harness.js";
import { doubles, makeCluster, sleep, waitUntil, type Run, type TestCluster } from "./cluster-harness.js";
import { etcdUrlFor, skipUnlessEtcd, skipUnlessEtcdBinary, TestEtcd } from "../helpers/etcd.js";

const TTL_MS = 3_000;
const TTL = "3s";
const FAILOVER = "[DEFAULT]\nnodes = n1 n2 n3\n\n[task#1]\ncommand = {record}\nschedule = */2 * * * * *\n";
const slotMs = (r: Run) => Date.parse(r.slot);
const show = (c: TestCluster) => () => `--- runs ---\n${c.runs().map((r) => `${r.slot} ${r.node} token=${r.token} ${r.svc} ${r.rid}`).join("\n")}`;
/**
 * Ownership as the runs show it: in slot order, the token never goes down and each token is one
 * node's. (On a loaded machine a lease may expire without a failure injected: the owner then
 * changes, with a new token, never with a double.)
 */
function assertFenced(runs: readonly Run[], c: TestCluster): void {
  const bySlot = [...runs].filter((r) => r.token !== "-").sort((a, b) => slotMs(a) - slotMs(b));
  const nodeOf = new Map<string, string>();
  for (let i = 0; i < bySlot.length; i++) {
    const r = bySlot[i]!;
    if (i > 0) assert.ok(Number(r.token) >= Number(bySlot[i - 1]!.token), `token went down at ${r.slot}:\n${show(c)()}`);
    assert.equal(nodeOf.get(r.token) ?? r.node, r.node, `token ${r.token} used by two nodes:\n${show(c)()}`);
    nodeOf.set(r.token, r.node);
  }
}
const logOf = (c: TestCluster) => () => `${show(c)()}\n${c.nodes.map((n) => `=== ${n.name}\n${n.daemon?.tail(15) ?? "(not running)"}`).join("\n")}`;

describe("cluster: failover services on etcd, real daemons", { skip: skipUnlessEtcd(), timeout: 180_000 }, () => {
  test("one owner runs each slot; after kill -9 of the owner another node continues from the slots in etcd, none doubled, none silently lost", async (t) => {
    const c = makeCluster(t, await etcdUrlFor(t), ["n1", "n2", "n3"], { db: FAILOVER }, TTL);
    for (const n of c.nodes) n.start();
    await waitUntil("three runs", () => c.runs().length >= 3, 40_000, logOf(c));
    assertFenced(c.runs(), c);
    const first = [c.runs().at(-1)!];
    const owner = c.nodes.find((n) => n.name === first[0]!.node)!;
    assert.match(first[0]!.token, /^\d+$/, "the run sees SVCMGR_FENCING_TOKEN");
    const killedAt = Date.now();
    const lastByOwner = Math.max(...c.runs().map(slotMs));
    await owner.kill9();
    let takenAt = 0;
    const afterKill = () => c.runs().filter((r) => slotMs(r) > lastByOwner);
    await waitUntil("another node runs a slot", () => afterKill().some((r) => r.node !== owner.name) && (takenAt ||= Date.now()) > 0, 30_000, logOf(c));
    const next = afterKill().find((r) => r.node !== owner.name)!;
    const heir = c.nodes.find((n) => n.name === next.node)!;
    await waitUntil("three runs on the new owner", () => afterKill().filter((r) => r.node === heir.name).length >= 3, 30_000, logOf(c));
    const runs = c.runs();
    assert.deepEqual(doubles(runs), [], show(c)());
    assertFenced(runs, c);
    assert.ok(Number(next.token) > Number(first[0]!.token), "a new fencing token");
    t.diagnostic(`hand-over: the first run of the new owner ${takenAt - killedAt} ms after kill -9 of the owner (lease TTL ${TTL_MS} ms)`);
    assert.ok(takenAt - killedAt <= TTL_MS + 4_000, `hand-over took ${takenAt - killedAt} ms (lease TTL ${TTL_MS} ms)`);
    // Every slot between the owner's last run and the heir's first is accounted for: run (catch-up), or recorded missed or skipped.
    const heirFirst = Math.min(...afterKill().filter((r) => r.node === heir.name).map(slotMs));
    const ran = new Set(runs.map(slotMs));
    const noted = new Set(c.nodes.flatMap((n) => records(n.root)).filter((r) => r.svc === "db" && (r.status === "missed" || r.status === "skipped")).map((r) => r.scheduledFor));
    for (let s = lastByOwner + 2_000; s < heirFirst; s += 2_000) assert.ok(ran.has(s) || noted.has(s), `slot ${new Date(s).toISOString()} neither run nor recorded missed\n${show(c)()}`);
    // A node that never owned the service records nothing of it (its owner records every slot).
    const owners = new Set(runs.map((r) => r.node));
    for (const bystander of c.nodes.filter((n) => !owners.has(n.name))) {
      assert.deepEqual(records(bystander.root).filter((r) => r.svc === "db").map((r) => `${r.status} ${r.reason}`), [], `${bystander.name} never owned db`);
    }
    // The old owner comes back: it runs nothing under its old token (the heir keeps the service unless its own lease lapses).
    const backAt = Date.now();
    owner.start();
    await sleep(3 * TTL_MS);
    const after = c.runs().filter((r) => slotMs(r) > backAt);
    assert.ok(after.length >= 2, show(c)());
    assert.ok(!after.some((r) => r.node === owner.name && r.token === first[0]!.token), `the old token runs nothing:\n${show(c)()}`);
    assert.deepEqual(doubles(c.runs()), [], show(c)());
    assertFenced(c.runs(), c);
  });

  test("an owner frozen past its lease TTL (SIGSTOP) is replaced; thawed (SIGCONT), it runs nothing stale", async (t) => {
    const c = makeCluster(t, await etcdUrlFor(t), ["n1", "n2"], { db: FAILOVER }, TTL);
    const [n1, n2] = c.nodes as [typeof c.nodes[0], typeof c.nodes[0]];
    n1.start();
    await waitUntil("two runs on n1", () => c.runs().filter((r) => r.node === "n1").length >= 2, 40_000, logOf(c));
    n2.start();
    await n2.daemon!.waitEvent("n2 joined", (e) => e.event === "cluster-joined", 20_000);
    const frozenAt = Date.now();
    n1.signal("SIGSTOP");
    await waitUntil("n2 runs two slots", () => c.runs().filter((r) => r.node === "n2").length >= 2, 30_000, logOf(c));
    const thawedAt = Date.now();
    n1.signal("SIGCONT");
    await n1.daemon!.waitEvent("n1 says it lost db", (e) => e.event === "cluster-lost", 20_000);
    await sleep(2 * TTL_MS);
    const runs = c.runs();
    assert.deepEqual(doubles(runs), [], show(c)());
    assertFenced(runs, c);
    const stale = runs.filter((r) => r.node === "n1" && slotMs(r) >= frozenAt);
    assert.deepEqual(stale, [], `n1 ran slots from after its freeze (frozen ${thawedAt - frozenAt} ms):\n${show(c)()}`);
    assert.ok(runs.filter((r) => r.node === "n2" && slotMs(r) > thawedAt).length >= 2, `n2 goes on after the thaw:\n${show(c)()}`);
  });

  test("flex: every node runs its own schedule; run_once = cluster runs each slot on one node", async (t) => {
    const flex = "[DEFAULT]\ntopology = flex\nnodes = n1 n2 n3\n\n[task#1]\ncommand = {record}\nschedule = */2 * * * * *\nrun_once = cluster\n\n[task#2]\ncommand = {record}\nschedule = */2 * * * * *\n";
    const c = makeCluster(t, await etcdUrlFor(t), ["n1", "n2", "n3"], { rep: flex }, TTL);
    for (const n of c.nodes) n.start();
    await waitUntil("every node runs task#2", () => new Set(c.runs().filter((r) => r.rid === "task#2").map((r) => r.node)).size === 3, 40_000, logOf(c));
    const from = Math.max(...c.runs().map(slotMs)) + 2_000;
    await waitUntil("four more slots", () => c.runs().some((r) => slotMs(r) >= from + 8_000), 30_000, logOf(c));
    const until = from + 6_000;
    const inRange = c.runs().filter((r) => slotMs(r) >= from && slotMs(r) <= until);
    assert.deepEqual(doubles(inRange.filter((r) => r.rid === "task#1")), [], `task#1 ran a slot twice:\n${show(c)()}`);
    const once = new Set(inRange.filter((r) => r.rid === "task#1").map(slotMs));
    assert.ok(once.size >= 3, `task#1 ran ${once.size} of the 4 slots (a slot skipped on a loaded machine is no double):\n${show(c)()}`);
    for (const n of ["n1", "n2", "n3"]) {
      const mine = inRange.filter((r) => r.rid === "task#2" && r.node === n).map(slotMs);
      assert.equal(new Set(mine).size, mine.length, `${n} ran a task#2 slot twice`);
      assert.ok(mine.length >= 2, `${n} runs its own task#2 schedule:\n${show(c)()}`);
    }
    assert.ok(inRange.every((r) => r.token === "-"), "no fencing token outside failover services");
  });
});

describe("cluster: etcd down and back", { skip: skipUnlessEtcdBinary(), timeout: 180_000 }, () => {
  test("etcd killed mid-run: no failover run on any node (skipped, with the reason), kill on ownership loss, local tasks go on; it recovers by itself", async (t) => {
    const etcd = await TestEtcd.start();
    t.after(() => etcd.stop());
    const db = `${FAILOVER.replace("nodes = n1 n2 n3", "nodes = n1 n2")}\n[task#2]\ncommand = sleep 60\nschedule = */2 * * * * *\non_ownership_loss = kill\n`;
    const web = "[DEFAULT]\ntopology = flex\nnodes = n1 n2\n\n[task#1]\ncommand = {record}\nschedule = */2 * * * * *\n";
    const c = makeCluster(t, etcd.url, ["n1", "n2"], { db, web }, TTL);
    for (const n of c.nodes) n.start();
    await waitUntil("two db runs", () => c.runs().filter((r) => r.svc === "db").length >= 2, 40_000, logOf(c));
    const owner = c.nodes.find((n) => n.name === c.runs().find((r) => r.svc === "db")!.node)!;
    await waitUntil("the owner's sleep runs", () => records(owner.root).some((r) => r.rid === "task#2" && r.status === "running"), 20_000, logOf(c));
    const downAt = Date.now();
    await etcd.kill();
    await sleep(TTL_MS + 3_000);
    const upAt = Date.now();
    await etcd.restart();
    await waitUntil("two db runs after etcd is back", () => c.runs().filter((r) => r.svc === "db" && slotMs(r) > upAt).length >= 2, 40_000, logOf(c));
    const runs = c.runs();
    assert.deepEqual(doubles(runs.filter((r) => r.svc === "db")), [], show(c)());
    assertFenced(runs, c);
    const during = (svc: string) => runs.filter((r) => r.svc === svc && slotMs(r) > downAt + 1_000 && slotMs(r) < upAt);
    assert.deepEqual(during("db"), [], `no failover run while etcd was down:\n${show(c)()}`);
    for (const n of ["n1", "n2"]) assert.ok(during("web").some((r) => r.node === n), `${n}'s local (flex) task went on:\n${show(c)()}`);
    const skipped = c.nodes.flatMap((n) => records(n.root)).filter((r) => r.svc === "db" && r.rid === "task#1" && r.status === "skipped" && r.scheduledFor! > downAt && r.scheduledFor! < upAt);
    assert.ok(skipped.length >= 1, "the slots not run while etcd was down are recorded skipped");
    assert.match(skipped[0]!.reason ?? "", /etcd/);
    const slots = skipped.map((r) => r.scheduledFor);
    assert.equal(new Set(slots).size, slots.length, "each skipped slot recorded by one node");
    const killed = records(owner.root).find((r) => r.rid === "task#2" && r.status === "aborted");
    assert.ok(killed !== undefined, `the owner's running sleep was stopped (on_ownership_loss = kill)\n${logOf(c)()}`);
    assert.ok(killed.endedAt! - downAt < TTL_MS, `stopped ${killed.endedAt! - downAt} ms after etcd died, before the lease could expire`);
  });
});
