import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, rmSync } from "node:fs";
import { count, killAllDaemons, records, setup, startDaemon, waitRecords } from "./daemon-harness.js";

/** --keep-runs counts real runs and skipped/missed records apart (a passive node skips at every slot). */
describe("daemon retention", { concurrency: true }, () => {
  after(() => killAllDaemons());

  test("a task skipped at every slot keeps its real runs within --keep-runs", async (t) => {
    const o = setup(t);
    const r = o.root;
    const dir = r.path("data");
    mkdirSync(dir);
    r.writeConf("passive", `[fs#0]\ntype = directory\npath = ${dir}\n\n[task#0]\ncommand = echo real\nrun_requires = fs#0(up)\nschedule = @1s\n`);
    for (let i = 0; i < 3; i++) assert.equal((await r.runTasks("passive")).status, 0);
    const real = records(r).filter((x) => x.status === "succeeded").map((x) => x.id);
    assert.equal(real.length, 3);

    rmSync(dir, { recursive: true }); // the node turns passive: every slot is skipped
    const first = startDaemon(o);
    await waitRecords(r, "5 skipped slots", (rs) => count(rs, (x) => x.status === "skipped") >= 5, 30_000, first);
    assert.deepEqual(await first.stop(), { code: 0, signal: null }, first.tail());

    const second = startDaemon(o, ["--keep-runs", "2"]);
    const kept = await waitRecords(r, "pruned to 2 runs and 2 skipped records", (rs) =>
      count(rs, (x) => x.status === "skipped") <= 3 && count(rs, (x) => x.status === "succeeded") <= 2, 30_000, second);
    await second.stop();
    assert.deepEqual(kept.filter((x) => x.status === "succeeded").map((x) => x.id), real.slice(1), "the newest two real runs stay");
    assert.ok(count(kept, (x) => x.status === "skipped") >= 2, "the newest skipped records stay too");
  });
});
