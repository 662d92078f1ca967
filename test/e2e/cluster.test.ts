/**
 * Clusters of real daemons (three `--root`s, node names in node.conf) on a real etcd, with real
 * failures: kill -9 of the owner, a frozen owner (SIGSTOP past its lease TTL, then SIGCONT),
 * etcd killed and restarted mid-run, flex services with run_once = cluster. Every test counts
 * the runs per slot from the tasks' own output and requires 0 doubles. Lease TTLs are 2 s.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { records } from "./daemon-harness.js";
import { doubles, makeCluster, sleep, waitUntil, type Run, type TestCluster } from "./cluster-harness.js";
import { etcdUrlFor, skipUnlessEtcd, skipUnlessEtcdBinary, TestEtcd } from "../helpers/etcd.js";

const TTL_MS = 2_000;
const FAILOVER = "[DEFAULT]\nnodes = n1 n2 n3\n\n[task#1]\ncommand = {record}\nschedule = */2 * * * * *\n";
const slotMs = (r: Run) => Date.parse(r.slot);
const show = (c: TestCluster) => () => `--- runs ---\n${c.runs().map((r) => `${r.slot} ${r.node} token=${r.token} ${r.svc} ${r.rid}`).join("\n")}`;
const logOf = (c: TestCluster) => () => `${show(c)()}\n${c.nodes.map((n) => `=== ${n.name}\n${n.daemon?.tail(15) ?? "(not running)"}`).join("\n")}`;

describe("cluster: failover services on etcd, real daemons", { skip: skipUnlessEtcd(), timeout: 180_000 }, () => {
  test("one owner runs each slot; after kill -9 of the owner another node continues from the slots in etcd, none doubled, none silently lost", async (t) => {
    const c = makeCluster(t, await etcdUrlFor(t), ["n1", "n2", "n3"], { db: FAILOVER });
    for (const n of c.nodes) n.start();
    await waitUntil("three runs", () => c.runs().length >= 3, 40_000, logOf(c));
    const first = c.runs();
    const owner = c.nodes.find((n) => n.name === first[0]!.node)!;
    assert.deepEqual([...new Set(first.map((r) => r.node))], [owner.name], `only the owner runs:\n${show(c)()}`);
    assert.match(first[0]!.token, /^\d+$/, "the run sees SVCMGR_FENCING_TOKEN");
    const killedAt = Date.now();
    const lastByOwner = Math.max(...c.runs().map(slotMs));
    await owner.kill9();
    let takenAt = 0;
    await waitUntil("another node runs a slot", () => c.runs().some((r) => r.node !== owner.name) && (takenAt ||= Date.now()) > 0, 30_000, logOf(c));
    const next = c.runs().find((r) => r.node !== owner.name)!;
    const heir = c.nodes.find((n) => n.name === next.node)!;
    await waitUntil("three runs on the new owner", () => c.runs().filter((r) => r.node === heir.name).length >= 3, 30_000, logOf(c));
    const runs = c.runs();
    assert.deepEqual(doubles(runs), [], show(c)());
    assert.ok(Number(next.token) > Number(first[0]!.token), "a new fencing token");
    assert.ok(takenAt - killedAt <= TTL_MS + 4_000, `hand-over took ${takenAt - killedAt} ms (lease TTL ${TTL_MS} ms)`);
    // Every slot between the owner's last run and the heir's first is accounted for: run (catch-up) or recorded missed by the heir.
    const heirFirst = Math.min(...runs.filter((r) => r.node === heir.name).map(slotMs));
    const missed = new Set(records(heir.root).filter((r) => r.status === "missed").map((r) => r.scheduledFor));
    for (let s = lastByOwner + 2_000; s < heirFirst; s += 2_000) assert.ok(missed.has(s), `slot ${new Date(s).toISOString()} neither run nor recorded missed\n${show(c)()}`);
    // A node that never owned the service records nothing of it (its owner records every slot).
    const bystander = c.nodes.find((n) => n !== owner && n !== heir)!;
    assert.deepEqual(records(bystander.root).filter((r) => r.svc === "db").map((r) => `${r.status} ${r.reason}`), []);
    // The old owner comes back: it does not take the service back.
    const backAt = Date.now();
    owner.start();
    await sleep(3 * TTL_MS);
    const after = c.runs().filter((r) => slotMs(r) > backAt);
    assert.ok(after.length >= 2, show(c)());
    assert.deepEqual([...new Set(after.map((r) => r.node))], [heir.name], `the heir keeps the service:\n${show(c)()}`);
    assert.deepEqual(doubles(c.runs()), [], show(c)());
  });

  test("an owner frozen past its lease TTL (SIGSTOP) is replaced; thawed (SIGCONT), it runs nothing stale", async (t) => {
    const c = makeCluster(t, await etcdUrlFor(t), ["n1", "n2"], { db: FAILOVER });
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
    await sleep(3 * TTL_MS);
    const runs = c.runs();
    assert.deepEqual(doubles(runs), [], show(c)());
    const stale = runs.filter((r) => r.node === "n1" && slotMs(r) >= frozenAt);
    assert.deepEqual(stale, [], `n1 ran slots from after its freeze (frozen ${thawedAt - frozenAt} ms):\n${show(c)()}`);
    assert.ok(runs.filter((r) => r.node === "n2" && slotMs(r) > thawedAt).length >= 2, `n2 goes on after the thaw:\n${show(c)()}`);
  });

  test("flex: every node runs its own schedule; run_once = cluster runs each slot on one node", async (t) => {
    const flex = "[DEFAULT]\ntopology = flex\nnodes = n1 n2 n3\n\n[task#1]\ncommand = {record}\nschedule = */2 * * * * *\nrun_once = cluster\n\n[task#2]\ncommand = {record}\nschedule = */2 * * * * *\n";
    const c = makeCluster(t, await etcdUrlFor(t), ["n1", "n2", "n3"], { rep: flex });
    for (const n of c.nodes) n.start();
    await waitUntil("every node runs task#2", () => new Set(c.runs().filter((r) => r.rid === "task#2").map((r) => r.node)).size === 3, 40_000, logOf(c));
    const from = Math.max(...c.runs().map(slotMs)) + 2_000;
    await waitUntil("four more slots", () => c.runs().some((r) => slotMs(r) >= from + 8_000), 30_000, logOf(c));
    const until = from + 6_000;
    const inRange = c.runs().filter((r) => slotMs(r) >= from && slotMs(r) <= until);
    assert.deepEqual(doubles(inRange.filter((r) => r.rid === "task#1")), [], show(c)());
    for (let s = from; s <= until; s += 2_000) {
      const at = (rid: string) => inRange.filter((r) => r.rid === rid && slotMs(r) === s).map((r) => r.node).sort();
      assert.equal(at("task#1").length, 1, `task#1 at ${new Date(s).toISOString()} ran on ${at("task#1").join(", ") || "no node"}`);
      assert.deepEqual(at("task#2"), ["n1", "n2", "n3"], `task#2 at ${new Date(s).toISOString()}`);
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
    const c = makeCluster(t, etcd.url, ["n1", "n2"], { db, web });
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
