import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { killAllDaemons, records, setup, startDaemon, waitRecords } from "./daemon-harness.js";
import { socketRequest, writeKeys, type Answer } from "./suspend-helpers.js";

/** `POST /api/v1/services/{svc}/tasks/{rid}/suspend` and `…/resume` on a real daemon's socket. */
describe("suspend and resume (API)", { concurrency: true }, () => {
  after(() => killAllDaemons());

  test("scope run suspends and resumes (idempotent, recorded as the key); read or another service's key gets 403; unknown 404; bad bodies 400/415; answers match the OpenAPI document", async (t) => {
    const o = setup(t);
    const r = o.root;
    r.writeConf("db", "[task#0]\ncommand = echo tick\nschedule = @1s\n\n[task#1]\ncommand = echo one\nschedule = @1h\n");
    r.writeConf("web", "[task#0]\ncommand = echo web\nschedule = @1h\n");
    const keys = writeKeys(r, { viewer: { scope: "read" }, webops: { scope: "run", services: ["web"] }, ops: { scope: "run", services: ["db"] } });
    const d = startDaemon(o);
    await d.waitEvent("db planned", (e) => e.event === "planned" && e.svc === "db" && e.rid === "task#0", 30_000);
    const SUSPEND = "/api/v1/services/db/tasks/task%230/suspend";
    const RESUME = "/api/v1/services/db/tasks/task%230/resume";
    const body = (o: object) => ({ body: JSON.stringify(o) });
    const problem = (a: Answer, status: number, detail: RegExp) => {
      assert.equal(a.status, status, JSON.stringify(a.body));
      assert.equal(a.type, "application/problem+json");
      assert.match(String(a.body.detail), detail);
    };

    problem(await socketRequest(r, "POST", SUSPEND, { key: keys.viewer, ...body({ reason: "no" }) }), 403, /the key "viewer" has scope read; this needs run/);
    problem(await socketRequest(r, "POST", SUSPEND, { key: keys.webops }), 403, /does not cover the service db/);
    assert.equal(existsSync(r.path("var", "svc", "db", "task#0", "suspended")), false, "a refused request changed something");

    problem(await socketRequest(r, "POST", "/api/v1/services/nope/tasks/task%230/suspend", { key: keys.ops }), 403, /does not cover the service nope/);
    problem(await socketRequest(r, "POST", "/api/v1/services/nope/tasks/task%230/suspend"), 404, /no service nope on this node/);
    problem(await socketRequest(r, "POST", "/api/v1/services/db/tasks/task%239/suspend", { key: keys.ops }), 404, /db has no task task#9/);
    problem(await socketRequest(r, "POST", SUSPEND, { key: keys.ops, ...body({ reason: "x", wait: 1 }) }), 400, /unknown field "wait"/);
    problem(await socketRequest(r, "POST", SUSPEND, { key: keys.ops, ...body({ reason: "a\nb" }) }), 400, /reason: one line of text/);
    problem(await socketRequest(r, "POST", SUSPEND, { key: keys.ops, ...body({ reason: 5 }) }), 400, /reason: expected string/);
    problem(await socketRequest(r, "POST", SUSPEND, { key: keys.ops, body: "reason=x", type: "text/plain" }), 415, /must be JSON/);
    problem(await socketRequest(r, "POST", SUSPEND, { key: keys.ops, ...body({ by: "mallory" }) }), 403, /only root on the daemon's socket may say on whose behalf/);
    assert.equal(existsSync(r.path("var", "svc", "db", "task#0", "suspended")), false, "a refused request changed something");
    assert.deepEqual(records(r).filter((x) => x.trigger === "api"), [], "a refused request was recorded");

    const doc = (await socketRequest(r, "GET", "/api/openapi.json")).body as { paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, { schema: object }> }> }>> };
    const ajv = new Ajv2020({ strict: false });
    const conforms = (path: string, a: Answer) => {
      const schema = doc.paths[path]!.post!.responses[String(a.status)]!.content[a.type.split(";")[0]!]!.schema;
      assert.ok(ajv.validate(schema, a.body), `${path} ${a.status}: ${ajv.errorsText()} in ${JSON.stringify(a.body)}`);
    };

    const first = await socketRequest(r, "POST", SUSPEND, { key: keys.ops, ...body({ reason: "db upgrade" }) });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    conforms("/api/v1/services/{svc}/tasks/{rid}/suspend", first);
    const s = first.body.suspended as { by: string; at: string; reason: string };
    assert.deepEqual([first.body.svc, first.body.rid, first.body.changed, s.by, s.reason], ["db", "task#0", true, "ops", "db upgrade"]);
    const second = await socketRequest(r, "POST", SUSPEND, { key: keys.ops, ...body({ reason: "other" }) });
    assert.deepEqual([second.status, second.body.changed, second.body.suspended], [200, false, s], "a second suspend changed the first");

    const tasks = await socketRequest(r, "GET", "/api/v1/services/db/tasks", { key: keys.viewer });
    assert.equal(tasks.status, 200);
    const items = tasks.body.items as Array<{ rid: string; suspended: unknown; nextRun: string | null }>;
    assert.deepEqual(items.map((x) => [x.rid, x.suspended]), [["task#0", s], ["task#1", null]]);
    assert.equal(items[0]!.nextRun, null, "a suspended task has no next run");
    assert.notEqual(items[1]!.nextRun, null);
    const taskSchema = doc.paths["/api/v1/services/{svc}/tasks"]!.get!.responses["200"]!.content["application/json"]!.schema;
    assert.ok(ajv.validate(taskSchema, tasks.body), ajv.errorsText());

    const next = (text: string, rid: string) => new RegExp(`^svcmgr_task_next_run_timestamp_seconds\\{[^}]*rid="${rid}"`, "m").test(text);
    const metrics = await socketRequest(r, "GET", "/metrics", { key: keys.ops });
    assert.equal(metrics.status, 200);
    assert.ok(!next(metrics.text, "task#0"), "a suspended task has a next run in /metrics");
    assert.ok(next(metrics.text, "task#1"), metrics.text);
    await waitRecords(r, "slots skipped as suspended by ops", (recs) => recs.filter((x) => x.trigger === "schedule" && x.status === "skipped" && (x.reason ?? "").startsWith(`suspended by ops since ${s.at}: db upgrade`)).length >= 2, 30_000, d);

    const res = await socketRequest(r, "POST", RESUME, { key: keys.ops });
    assert.deepEqual([res.status, res.body.changed, res.body.suspended], [200, true, null]);
    conforms("/api/v1/services/{svc}/tasks/{rid}/resume", res);
    assert.ok(next((await socketRequest(r, "GET", "/metrics", { key: keys.ops })).text, "task#0"), "a resumed task has no next run in /metrics");
    const res2 = await socketRequest(r, "POST", RESUME, { key: keys.ops, ...body({}) });
    assert.deepEqual([res2.status, res2.body.changed], [200, false]);

    // Root on the socket (no key) may name who asked: the CLI does.
    const asRoot = await socketRequest(r, "POST", SUSPEND, body({ by: "alice" }));
    assert.equal((asRoot.body.suspended as { by: string }).by, "alice");
    problem(await socketRequest(r, "POST", RESUME, body({ by: "not a name" })), 400, /by: "not a name" is not a user name/);

    const marks = records(r).filter((x) => x.trigger === "api");
    assert.deepEqual(marks.map((x) => [x.initiatedBy, x.reason]), [
      ["ops", "suspended by ops: db upgrade"],
      ["ops", `resumed by ops (was suspended by ops since ${s.at}: db upgrade)`],
      ["alice", "suspended by alice"],
    ]);
    assert.deepEqual(await d.stop(), { code: 0, signal: null });
  });
});
