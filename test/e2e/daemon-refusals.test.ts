import { after, describe, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { makeRoot, type TestRoot } from "./helpers.js";
import { count, Daemon, killAllDaemons, records, waitRecords } from "./daemon-harness.js";

/**
 * Issue 13 and 21: what the daemon refuses, it refuses narrowly and says so. A task whose user
 * does not exist on this node is not scheduled (the service's other tasks are); a service whose
 * references fan out past the budget is refused at once (the other services keep running).
 */
const EVERY_SECOND = "* * * * * *";

function setup(t: TestContext): { root: TestRoot; daemons: Daemon[] } {
  const owned = { root: makeRoot(), daemons: [] as Daemon[] };
  t.after(async () => {
    await Promise.all(owned.daemons.map((d) => d.stop("SIGKILL").catch(() => undefined)));
    owned.root.cleanup();
  });
  return owned;
}

after(() => killAllDaemons());

describe("daemon refusals", { concurrency: 2 }, () => {
  test("a task whose user does not exist here is refused, with the reason; its sibling runs", async (t) => {
    const o = setup(t);
    const user = `nosuch${process.pid}x`;
    o.root.writeConf("mixed", `[task#ghost]\ncommand = echo never\nuser = ${user}\nschedule = ${EVERY_SECOND}\n\n[task#ok]\ncommand = echo fine\nschedule = ${EVERY_SECOND}\n`);
    const d = Daemon.start(o.root, []);
    o.daemons.push(d);
    const refused = await d.waitEvent("task#ghost refused", (e) => e.event === "not-scheduled" && e.rid === "task#ghost");
    assert.equal(refused.reason, "invalid-task");
    assert.match(refused.detail ?? "", new RegExp(`user "${user}" does not exist on this node`));
    await waitRecords(o.root, "3 runs of task#ok", (rs) => count(rs, (x) => x.rid === "task#ok" && x.status === "succeeded") >= 3, 15_000, d);
    assert.equal(records(o.root, { svc: "mixed" }).filter((x) => x.rid === "task#ghost").length, 0, "the refused task never ran");
    assert.equal(d.exit, null);
  });

  test("a reference fan-out refuses its service at once; another service keeps its schedule", async (t) => {
    const o = setup(t);
    const levels = Array.from({ length: 18 }, (_, i) => `a${i} = ${`{env.a${i + 1}}`.repeat(10)}`).join("\n");
    o.root.writeConf("fan", `[env]\n${levels}\na18 = x\n[task#0]\ncommand = echo {env.a0}\nschedule = ${EVERY_SECOND}\n`);
    o.root.writeConf("good", `[task#1]\ncommand = echo fine\nschedule = ${EVERY_SECOND}\n`);
    const d = Daemon.start(o.root, []);
    o.daemons.push(d);
    const refused = await d.waitEvent("fan refused", (e) => e.event === "not-scheduled" && e.svc === "fan");
    assert.equal(refused.reason, "invalid-service");
    assert.match(refused.detail ?? "", /references need more than 1000 evaluations/);
    await waitRecords(o.root, "3 good runs", (rs) => count(rs, (x) => x.svc === "good" && x.status === "succeeded") >= 3, 15_000, d);
    assert.equal(d.exit, null);
  });
});

test("validate config: a user that does not exist on this node is an error; run refuses that task only", async (t) => {
  const o = setup(t);
  const user = `nosuch${process.pid}y`;
  const file = o.root.writeConf("users", `[task#ghost]\ncommand = echo never\nuser = ${user}\n\n[task#ok]\ncommand = echo fine\n`);
  const v = await o.root.run(["-s", "users", "validate", "config"]);
  assert.equal(v.status, 2, v.stdout + v.stderr);
  assert.match(v.stdout, new RegExp(`${file}:3: \\[task#ghost\\] user = "${user}": error: user "${user}" does not exist on this node`));
  const ls = await o.root.run(["ls"]);
  assert.match(ls.stdout, /^users\s+2\s+ok, refused on this node: task#ghost/m, "ls agrees with validate config");
  const ok = await o.root.runTasks("users", ["--rid", "task#ok"]);
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /fine/);
  const ghost = await o.root.runTasks("users", ["--rid", "task#ghost"]);
  assert.equal(ghost.status, 1, ghost.stdout + ghost.stderr);
  assert.match(ghost.stderr, new RegExp(`user "${user}" does not exist`));
  assert.doesNotMatch(ghost.stdout, /never/);
});
