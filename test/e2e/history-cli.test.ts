import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { hostname } from "node:os";
import { makeRoot, type TestRoot } from "./helpers.js";
import type { RunRecord } from "../../src/core/run-record.js";

/**
 * What an operator reads of the run history: `print history` with its filters, `print run ID`
 * with the output, `print schedule` with each task's last and next run. The records come from
 * real manual runs on a private root.
 */
describe("history on the command line", { concurrency: 4 }, () => {
  let root: TestRoot;
  let records: RunRecord[];
  const BIG_LINES = 200_000; // `seq` output: about 1.3 MB, far over the stored excerpt

  before(async () => {
    root = makeRoot();
    root.writeConf("hist", `[task#ok]\ncommand = echo all good\nschedule = @1h\n\n[task#bad]\ncommand = sh -c "echo broken >&2; exit 3"\n\n[task#big]\ncommand = seq 1 ${BIG_LINES}\n`);
    root.writeConf("other", "[task#ok]\ncommand = echo other\n");
    for (const rid of ["task#ok", "task#bad", "task#ok", "task#big"]) await root.runTasks("hist", ["--rid", rid]);
    await root.runTasks("other");
    records = root.history("hist");
    assert.equal(records.length, 4);
  });
  after(() => root.cleanup());

  const history = async (...args: string[]) => {
    const r = await root.run(["-s", "hist", "print", "history", ...args]);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };
  const json = async (...args: string[]) => JSON.parse(await history(...args, "--format", "json")) as RunRecord[];
  const ids = (recs: readonly RunRecord[]) => recs.map((r) => r.id);
  const newestFirst = () => [...records].sort((a, b) => b.id - a.id);

  test("print history lists the service's runs, newest first, and no other service's", async () => {
    const all = await json();
    assert.deepEqual(ids(all), ids(newestFirst()));
    assert.ok(all.every((r) => r.svc === "hist" && r.trigger === "manual"));
    const text = (await history()).trimEnd().split("\n");
    assert.match(text[0]!, /^ID\s+SERVICE\s+RID\s+TRIGGER\s+SLOT \(\S+\)\s+STARTED \(\S+\)\s+DURATION\s+STATUS\s+EXIT\s+REASON$/);
    assert.deepEqual(text.slice(1).map((l) => Number(l.split(/\s+/)[0])), ids(newestFirst()));
    const bad = text.find((l) => /task#bad/.test(l))!;
    assert.match(bad, /\bfailed\s+3\s+command exited with code 3/);
  });

  test("--rid, --status, --since and --limit narrow the list", async () => {
    assert.deepEqual(ids(await json("--rid", "task#ok")), ids(newestFirst().filter((r) => r.rid === "task#ok")));
    assert.deepEqual((await json("--status", "failed")).map((r) => r.rid), ["task#bad"]);
    assert.deepEqual(ids(await json("--status", "failed,succeeded")), ids(newestFirst()));
    assert.deepEqual(ids(await json("--limit", "2")), ids(newestFirst().slice(0, 2)));
    assert.deepEqual(ids(await json("--since", "1h")), ids(newestFirst()));
    assert.deepEqual(await json("--since", "2999-01-01T00:00Z"), []);
    const newest = newestFirst()[0]!;
    assert.deepEqual(ids(await json("--since", new Date(newest.startedAt).toISOString())), ids(newestFirst().filter((r) => r.startedAt >= newest.startedAt)));
  });

  test("an empty result says so in text", async () => {
    assert.equal(await history("--rid", "task#never"), "no recorded run matches\n");
    root.writeConf("fresh", "[task#0]\ncommand = true\n");
    const r = await root.run(["-s", "fresh", "print", "history"]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "no run recorded yet\n");
  });

  test("print run shows one record and its output; a big output keeps a bounded excerpt, --full has it all", async () => {
    const bad = records.find((r) => r.rid === "task#bad")!;
    const text = await root.run(["-s", "hist", "print", "run", String(bad.id)]);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, new RegExp(`^id\\s+${bad.id}$`, "m"));
    assert.match(text.stdout, /^status\s+failed$/m);
    assert.match(text.stdout, /^exit code\s+3$/m);
    assert.match(text.stdout, new RegExp(`^node\\s+${hostname().replace(/[.]/g, "\\.")}$`, "m"), "the node that wrote the record");
    assert.match(text.stdout, /^output\s+7 bytes \(stdout 0, stderr 7\)$/m);
    assert.match(text.stdout, /\n\nbroken\n$/);

    const big = records.find((r) => r.rid === "task#big")!;
    const all = Array.from({ length: BIG_LINES }, (_, i) => `${i + 1}\n`).join("");
    const rec = JSON.parse((await root.run(["-s", "hist", "print", "run", String(big.id), "--format", "json"])).stdout) as RunRecord;
    assert.equal(rec.truncated, true);
    assert.equal(rec.outputBytes, Buffer.byteLength(all));
    assert.ok(rec.outputHead.length <= 8192 && rec.outputTail.length <= 8192, `excerpt ${rec.outputHead.length} + ${rec.outputTail.length}`);
    assert.ok(all.startsWith(rec.outputHead) && all.endsWith(rec.outputTail));
    const shown = await root.run(["-s", "hist", "print", "run", String(big.id)]);
    assert.match(shown.stdout, /excerpt truncated: --full for all/);
    assert.match(shown.stdout, new RegExp(`\\[… ${rec.outputBytes - rec.outputHead.length - rec.outputTail.length} bytes not kept …\\]`));
    const full = await root.run(["-s", "hist", "print", "run", String(big.id), "--full", "--format", "json"]);
    assert.equal((JSON.parse(full.stdout) as { output: string }).output, all);
  });

  test("print run refuses an unknown id and another service's run", async () => {
    const theirs = root.history("other")[0]!;
    for (const id of ["999999", String(theirs.id)]) {
      const r = await root.run(["-s", "hist", "print", "run", id]);
      assert.equal(r.status, 2, `${id}: ${r.stderr}`);
      assert.equal(r.stderr, `svcmgr: no run ${id} for hist\n`);
    }
    const bad = await root.run(["-s", "hist", "print", "run", "abc"]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /run id must be a positive integer, got "abc"/);
  });

  test("print schedule: each task's last run from the history, its next run, or why it has none", async () => {
    const r = await root.run(["-s", "hist", "print", "schedule", "--format", "json"]);
    assert.equal(r.status, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as Array<{ rid: string; lastRun: string | null; lastRunTrigger: string | null; lastScheduled: string | null; nextRun: string | null; scheduleDefinition: string; notScheduled: string | null }>;
    assert.deepEqual(rows.map((x) => x.rid), ["task#bad", "task#big", "task#ok"]);
    const ok = rows.find((x) => x.rid === "task#ok")!;
    const lastOk = newestFirst().find((x) => x.rid === "task#ok")!;
    assert.ok(Math.abs(Date.parse(ok.lastRun!) - lastOk.startedAt) < 1000, `${ok.lastRun} vs ${new Date(lastOk.startedAt).toISOString()}`);
    assert.equal(ok.scheduleDefinition, "@1h");
    assert.equal(ok.notScheduled, null);
    assert.equal(ok.lastRunTrigger, "manual");
    assert.equal(ok.lastScheduled, null, "manual runs do not move a schedule");
    // Never scheduled yet: the daemon takes it as soon as it loads the service.
    assert.ok(ok.nextRun !== null && Date.parse(ok.nextRun) >= lastOk.startedAt, String(ok.nextRun));
    const bad = rows.find((x) => x.rid === "task#bad")!;
    assert.equal(bad.nextRun, null);
    assert.notEqual(bad.notScheduled, null);
    const text = await root.run(["-s", "hist", "print", "schedule"]);
    assert.match(text.stdout, /^hist\s+run\s+task#bad\s+-\s+\S+ \(manual\)\s+never: .*task#bad\.schedule/m);
  });
});
