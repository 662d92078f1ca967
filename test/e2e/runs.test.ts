/**
 * `svcmgr runs ls|show|stop|rm` against a real daemon and its real history: listing across
 * services with filters, one record with its output file, a stop recorded aborted, and rm that
 * deletes a finished record and its output file but refuses a running run.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import type { RunRecord } from "../../src/core/run-record.js";
import { Daemon, killAllDaemons, records } from "./daemon-harness.js";
import { makeRoot, type TestRoot } from "./helpers.js";

describe("svcmgr runs ls|show|stop|rm", { concurrency: false }, () => {
  let root: TestRoot;
  const byId = (id: number): RunRecord | undefined => records(root).find((r) => r.id === id);
  const waitFor = async (what: string, ok: () => boolean): Promise<void> => {
    for (let i = 0; i < 100 && !ok(); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(ok(), what);
  };

  before(async () => {
    root = makeRoot();
    root.writeConf("db", "[task#0]\ncommand = /bin/echo db-output\n");
    root.writeConf("web", "[task#0]\ncommand = /bin/echo web-output\n");
    assert.equal((await root.runTasks("db")).status, 0);
    assert.equal((await root.runTasks("web")).status, 0);
  });
  after(async () => {
    await killAllDaemons();
    root?.cleanup();
  });

  test("without a daemon: ls and show read the history; stop says no daemon runs", async () => {
    const ls = await root.run(["runs", "ls", "--format", "json"]);
    assert.equal(ls.status, 0, ls.stderr);
    const recs = JSON.parse(ls.stdout) as RunRecord[];
    assert.deepEqual(recs.map((r) => r.svc), ["web", "db"], "every service, newest first");
    const onlyDb = JSON.parse((await root.run(["runs", "ls", "-s", "db", "--format", "json"])).stdout) as RunRecord[];
    assert.deepEqual(onlyDb.map((r) => r.svc), ["db"]);
    const text = await root.run(["runs", "ls", "--limit", "1"]);
    assert.match(text.stdout, /^ID +SERVICE +RID +TRIGGER .*\n\d+ +web +task#0 +manual .* succeeded +0 *\n$/);
    const show = await root.run(["runs", "show", String(onlyDb[0]!.id)]);
    assert.equal(show.status, 0, show.stderr);
    assert.match(show.stdout, /^service +db$/m);
    assert.match(show.stdout, new RegExp(`^output file +${onlyDb[0]!.logFile!.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}$`, "m"), "where the output is");
    assert.match(show.stdout, /\ndb-output\n$/);
    const json = JSON.parse((await root.run(["runs", "show", String(onlyDb[0]!.id), "--format", "json"])).stdout) as RunRecord;
    assert.equal(json.logFile, onlyDb[0]!.logFile);
    const other = await root.run(["-s", "web", "runs", "show", String(onlyDb[0]!.id)]);
    assert.equal(other.status, 2, "not a run of web");
    assert.match(other.stderr, /no run \d+ in the history of web/);
    assert.equal((await root.run(["runs", "show", "x1"])).status, 2);
    assert.equal((await root.run(["runs", "ls", "--status", "fine"])).status, 2);
    const stop = await root.run(["runs", "stop", String(onlyDb[0]!.id)]);
    assert.equal(stop.status, 1);
    assert.match(stop.stderr, /runs stop asks the daemon, and none is running/);
  });

  test("with the daemon: a running one-off is listed, rm refuses it and keeps everything, stop records it aborted, then rm deletes record and output", async () => {
    const d = Daemon.start(root);
    await d.waitEvent("api listening", (e) => e.event === "api-listening");
    const started = await root.run(["-s", "db", "exec", "--", "/bin/sh", "-c", "echo started; exec sleep 60"]);
    assert.equal(started.status, 0, started.stderr);
    const id = Number(started.stdout);
    await waitFor("the one-off is running and has written", () => byId(id)?.status === "running" && existsSync(byId(id)!.logFile!) );
    const running = JSON.parse((await root.run(["runs", "ls", "--status", "running", "--format", "json"])).stdout) as RunRecord[];
    assert.deepEqual(running.map((r) => [r.id, r.rid, r.trigger]), [[id, "exec", "oneoff"]]);
    const oneoffs = JSON.parse((await root.run(["runs", "ls", "--trigger", "oneoff", "--format", "json"])).stdout) as RunRecord[];
    assert.deepEqual(oneoffs.map((r) => r.id), [id]);

    const refused = await root.run(["runs", "rm", String(id)]);
    assert.equal(refused.status, 1);
    assert.match(refused.stderr, new RegExp(`run ${id} \\(db exec\\) is still running: it is not removed \\(stop it first: svcmgr runs stop ${id}\\)`));
    assert.equal(byId(id)?.status, "running", "the record is kept");
    assert.ok(existsSync(byId(id)!.logFile!), "the output file is kept");

    const stop = await root.run(["runs", "stop", String(id)]);
    assert.equal(stop.status, 0, stop.stderr);
    assert.match(stop.stdout, new RegExp(`run ${id} \\(db exec\\) aborted`));
    assert.equal(byId(id)?.status, "aborted");
    const again = await root.run(["runs", "stop", String(id)]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /is not running \(aborted\)/);

    const log = byId(id)!.logFile!;
    const rm = await root.run(["runs", "rm", String(id)]);
    assert.equal(rm.status, 0, rm.stderr);
    assert.match(rm.stdout, new RegExp(`run ${id} \\(db exec\\) removed, and its output file`));
    assert.equal(byId(id), undefined, "the record is gone");
    assert.equal(existsSync(log), false, "the output file is gone");
    const gone = await root.run(["runs", "rm", String(id)]);
    assert.equal(gone.status, 2);
    assert.match(gone.stderr, new RegExp(`no run ${id} in the history`));
    assert.equal((await root.run(["runs", "stop", String(id)])).status, 2, "stop of an unknown run");
    await d.stop();
  });
});
