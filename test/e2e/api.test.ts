import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { newKey } from "../../src/api/keys.js";
import { writeKeyFile } from "../../src/platform/api-key-file.js";
import type { Scope } from "../../src/core/api-key.js";
import type { RunRecord } from "../../src/core/run-record.js";
import { Daemon, killAllDaemons, records } from "./daemon-harness.js";
import { makeRoot, type TestRoot } from "./helpers.js";
import { call, OpenApiChecker, stream, type Answer, type Target } from "./api-client.js";

/**
 * The daemon's API end to end: a real daemon, its real socket, every endpoint and the status
 * codes each can give, every JSON answer checked against the OpenAPI document it serves.
 */
describe("HTTP API on the daemon's socket", { concurrency: false }, () => {
  let root: TestRoot;
  let daemon: Daemon;
  let sock: Target;
  let openapi: OpenApiChecker;
  const keys: Record<string, string> = {};

  const get = async (path: string, template: string, key?: string) => check("GET", template, await call(sock, { path, ...(key === undefined ? {} : { key }) }));
  const post = async (path: string, template: string, body: unknown, extra: { key?: string; headers?: Record<string, string> } = {}) =>
    check("POST", template, await call(sock, { method: "POST", path, body, ...extra }));
  const check = (method: string, template: string, a: Answer) => {
    openapi.check(method, template, a);
    return a;
  };
  const RUNS = "/api/v1/services/{svc}/runs";
  const dbRuns = (): RunRecord[] => records(root, { svc: "db" });

  before(async () => {
    root = makeRoot();
    root.writeConf("db", [
      "[task#0]", "command = /bin/sh -c 'echo hello; echo world'", "tags = backup", "",
      "[task#slow]", "command = /bin/sh -c 'echo first; sleep 1.5; echo second'", "",
      "[task#fail]", "command = /bin/sh -c 'echo bad >&2; exit 3'", "",
      "[task#c]", "command = /bin/echo confirmed", "confirmation = true", "",
      "[task#env]", "command = /bin/sh -c 'echo LEVEL=$LEVEL'", "",
    ].join("\n"));
    root.writeConf("web", "[task#0]\ncommand = /bin/echo web\n");
    const key = (name: string, scope: Scope, services: string[] = []) => {
      const k = newKey();
      keys[name] = k.text;
      return { id: k.id, name, hash: k.hash, scope, services, createdAt: Date.now(), expiresAt: null, revokedAt: null, createdBy: "test" };
    };
    root.path("var");
    daemon = Daemon.start(root);
    await daemon.waitEvent("api listening", (e) => e.event === "api-listening");
    writeKeyFile(root.path("var", "apikeys.json"), { keys: [key("reader", "read"), key("runner-web", "run", ["web"]), key("runner", "run")] });
    sock = { socket: root.path("var", "daemon.sock") };
    const doc = await call(sock, { path: "/api/openapi.json" });
    assert.equal(doc.status, 200);
    openapi = new OpenApiChecker(doc.json as ConstructorParameters<typeof OpenApiChecker>[0]);
  });
  after(() => killAllDaemons());

  test("the OpenAPI document: 3.1, every path of design §11, every schema compiles", () => {
    const doc = openapi.doc as unknown as { openapi: string; paths: Record<string, object> };
    assert.equal(doc.openapi, "3.1.0");
    for (const p of ["/api/v1/health", "/api/v1/services", "/api/v1/services/{svc}", "/api/v1/services/{svc}/tasks", RUNS, "/api/v1/runs", "/api/v1/runs/{id}", "/api/v1/runs/{id}/log"]) {
      assert.ok(p in doc.paths, `${p} documented`);
    }
  });

  test("health needs no key; services, status and tasks answer as print status does", async () => {
    const h = await get("/api/v1/health", "/api/v1/health");
    assert.equal(h.status, 200);
    assert.deepEqual((h.json as { status: string; store: { kind: string } }).store.kind, "sqlite");
    const list = await get("/api/v1/services", "/api/v1/services");
    assert.deepEqual((list.json as { items: { path: string; tasks: number; state: string; failing: number }[] }).items.map((s) => [s.path, s.tasks, s.state, s.failing]), [["db", 5, "n/a", 0], ["web", 1, "n/a", 0]]);
    const status = await get("/api/v1/services/db", "/api/v1/services/{svc}");
    assert.equal((status.json as { service: string }).service, "db");
    assert.deepEqual((status.json as { resources: { rid: string }[] }).resources.map((r) => r.rid).sort(), ["task#0", "task#c", "task#env", "task#fail", "task#slow"]);
    const tasks = await get("/api/v1/services/db/tasks", "/api/v1/services/{svc}/tasks");
    const t0 = (tasks.json as { items: { rid: string; tags: string[]; confirmation: boolean }[] }).items.find((t) => t.rid === "task#0")!;
    assert.deepEqual([t0.tags, t0.confirmation], [["backup"], false]);
    assert.equal((await get("/api/v1/services/nosuch", "/api/v1/services/{svc}")).status, 404);
    assert.equal((await get("/api/v1/services/nosuch/tasks", "/api/v1/services/{svc}/tasks")).status, 404);
  });

  test("run now with wait: 200 once ended, the record says trigger api and who; without wait: 202 at once", async () => {
    const a = await post("/api/v1/services/db/runs", RUNS, { rid: "task#0", wait: "30s" });
    assert.equal(a.status, 200, a.text);
    const [rec] = (a.json as { runs: RunRecord[] }).runs;
    assert.deepEqual([rec!.rid, rec!.trigger, rec!.status, rec!.initiatedBy, rec!.outputHead], ["task#0", "api", "succeeded", "root", "hello\nworld\n"]);
    const b = await post("/api/v1/services/db/runs", RUNS, { rid: "task#slow", wait: "100ms" });
    assert.equal(b.status, 202, `still running when the wait is over: ${b.text}`);
    const slow = b.json as { runs: RunRecord[]; request: { session: string; done: boolean } };
    assert.deepEqual([slow.runs[0]!.status, slow.request.done], ["running", false]);
    const c = await post("/api/v1/services/db/runs", RUNS, { tags: "backup", wait: 30 }, { key: keys.runner });
    assert.equal(c.status, 200);
    assert.equal((c.json as { runs: RunRecord[] }).runs[0]!.initiatedBy, "runner", "initiatedBy is the key's name");
    const d = await post("/api/v1/services/db/runs", RUNS, { rid: "task#env", env: { LEVEL: "full" }, wait: "10s" });
    assert.equal((d.json as { runs: RunRecord[] }).runs[0]!.outputHead, "LEVEL=full\n");
    const f = await post("/api/v1/services/db/runs", RUNS, { rid: "task#fail", wait: "10s" });
    assert.deepEqual([f.status, (f.json as { runs: RunRecord[] }).runs[0]!.status, (f.json as { runs: RunRecord[] }).runs[0]!.exitCode], [200, "failed", 3]);
    await new Promise((r) => setTimeout(r, 5100)); // the services' states are probed at most every 5 s
    const list = await get("/api/v1/services", "/api/v1/services");
    assert.equal((list.json as { items: { path: string; failing: number }[] }).items.find((s) => s.path === "db")!.failing, 1, "task#fail failed last");
    for (let i = 0; ; i++) {
      const r = await get(`/api/v1/requests/${slow.request.session}`, "/api/v1/requests/{session}");
      const body = r.json as { runs: RunRecord[]; request: { done: boolean } };
      if (body.request.done) {
        assert.equal(body.runs[0]!.status, "succeeded");
        break;
      }
      assert.ok(i < 100, "the request ends");
      await new Promise((res) => setTimeout(res, 100));
    }
  });

  test("refused requests start nothing: bad JSON, unknown field, bad wait, wrong type, too big, unknown rid, unconfirmed", async () => {
    const before = dbRuns().length;
    const cases: { body: unknown; headers?: Record<string, string>; status: number; detail: RegExp }[] = [
      { body: "{\"rid\": ", status: 400, detail: /malformed JSON body/ },
      { body: { rid: "task#0", ridd: "x" }, status: 400, detail: /unknown field "ridd"/ },
      { body: { rid: "task#0", wait: "forever" }, status: 400, detail: /wait: "forever" is not a duration/ },
      { body: { rid: "task#0", wait: "11m" }, status: 400, detail: /wait: at most 10 minutes/ },
      { body: { rid: 7 }, status: 400, detail: /rid: expected string/ },
      { body: { rid: "task#0", env: { "BAD-NAME": "x" } }, status: 400, detail: /env/ },
      { body: "rid=task#0", headers: { "content-type": "application/x-www-form-urlencoded" }, status: 415, detail: /must be JSON/ },
      { body: JSON.stringify({ rid: "task#0", pad: "x".repeat(1024 * 1024) }), status: 413, detail: /over 1048576 bytes/ },
      { body: { rid: "task#nosuch" }, status: 404, detail: /no resource match/ },
      { body: { rid: "task#c" }, status: 409, detail: /confirmation required: task#c .*"confirm": "task#c"/ },
      { body: { rid: "task#c", confirm: "yes" }, status: 409, detail: /confirmation required/ },
      { body: { rid: "task#c", confirm: true }, status: 400, detail: /confirm/ },
    ];
    for (const c of cases) {
      const a = await post("/api/v1/services/db/runs", RUNS, c.body, c.headers === undefined ? {} : { headers: c.headers });
      assert.equal(a.status, c.status, `${JSON.stringify(c.body).slice(0, 60)}: ${a.text}`);
      assert.match(String(a.headers["content-type"]), /^application\/problem\+json/);
      assert.match((a.json as { detail: string }).detail, c.detail);
    }
    assert.equal((await post("/api/v1/services/nosuch/runs", RUNS, { rid: "task#0" })).status, 404);
    assert.equal(dbRuns().length, before, "no refused request ran anything");
    const ok = await post("/api/v1/services/db/runs", RUNS, { rid: "task#c", confirm: "task#c", wait: "10s" });
    assert.equal((ok.json as { runs: RunRecord[] }).runs[0]!.outputHead, "confirmed\n", "confirmed by its rid, typed");
  });

  test("Idempotency-Key: a retry returns the same runs and runs nothing twice; another body with the key is 422", async () => {
    const before = dbRuns().length;
    const first = await post("/api/v1/services/db/runs", RUNS, { rid: "task#0", wait: "10s" }, { headers: { "idempotency-key": "deploy-42" } });
    const again = await post("/api/v1/services/db/runs", RUNS, { rid: "task#0", wait: "10s" }, { headers: { "idempotency-key": "deploy-42" } });
    assert.deepEqual((again.json as { runs: RunRecord[] }).runs.map((r) => r.id), (first.json as { runs: RunRecord[] }).runs.map((r) => r.id));
    assert.equal(again.headers["idempotent-replayed"], "true");
    assert.equal(dbRuns().length, before + 1);
    const other = await post("/api/v1/services/db/runs", RUNS, { rid: "task#env", wait: "10s" }, { headers: { "idempotency-key": "deploy-42" } });
    assert.equal(other.status, 422);
    const otherKey = await post("/api/v1/services/db/runs", RUNS, { rid: "task#0", wait: "10s" }, { key: keys.runner, headers: { "idempotency-key": "deploy-42" } });
    assert.equal(otherKey.status, 200, "keys are remembered per API key");
    assert.equal(dbRuns().length, before + 2);
  });

  test("run records: newest first, filters, cursor paging walks every record once, bad parameters are 400", async () => {
    const all = dbRuns().map((r) => r.id).reverse();
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page: Answer = await get(`/api/v1/runs?svc=db&limit=3${cursor === null ? "" : `&cursor=${cursor}`}`, "/api/v1/runs");
      const body = page.json as { items: RunRecord[]; next: string | null };
      seen.push(...body.items.map((r) => r.id));
      cursor = body.next;
    } while (cursor !== null);
    assert.deepEqual(seen, all, "every record once, newest first");
    const failed = await get("/api/v1/runs?svc=db&status=failed,timed_out&trigger=api", "/api/v1/runs");
    assert.ok((failed.json as { items: RunRecord[] }).items.every((r) => r.status === "failed" && r.trigger === "api"));
    for (const bad of ["limit=0", "limit=abc", "status=done", "trigger=cron", "since=yesterday", "cursor=zzz"]) {
      const a = await get(`/api/v1/runs?${bad}`, "/api/v1/runs");
      assert.equal(a.status, 400, bad);
    }
    const one = await get(`/api/v1/runs/${all[0]}`, "/api/v1/runs/{id}");
    assert.equal((one.json as RunRecord).id, all[0]);
    assert.equal((await get("/api/v1/runs/999999", "/api/v1/runs/{id}")).status, 404);
    assert.equal((await get("/api/v1/runs/abc", "/api/v1/runs/{id}")).status, 400);
  });

  test("a list answered from the cache is at most 250 ms behind: a run recorded by another process, or by the daemon, shows", async () => {
    const first = await get("/api/v1/runs?svc=db&limit=1", "/api/v1/runs");
    const again = await get("/api/v1/runs?svc=db&limit=1", "/api/v1/runs");
    assert.equal(again.text, first.text);
    const cli = await root.run(["-s", "db", "run", "--rid", "task#0"]);
    assert.equal(cli.status, 0, cli.stderr);
    await new Promise((r) => setTimeout(r, 300));
    const after = await get("/api/v1/runs?svc=db&limit=1", "/api/v1/runs");
    const rec = (after.json as { items: RunRecord[] }).items[0]!;
    assert.deepEqual([rec.trigger, rec.rid], ["manual", "task#0"], "the CLI's run, written through another connection");
    const daemonRun = await post("/api/v1/services/db/runs", RUNS, { rid: "task#env", wait: "10s" });
    await new Promise((r) => setTimeout(r, 300));
    const newest = (await get("/api/v1/runs?svc=db&limit=1", "/api/v1/runs")).json as { items: RunRecord[] };
    assert.equal(newest.items[0]!.id, (daemonRun.json as { runs: RunRecord[] }).runs[0]!.id, "and the daemon's own");
  });

  test("output: as text, followed live until the run ends, as SSE resumable from a byte offset", async () => {
    const done = await post("/api/v1/services/db/runs", RUNS, { rid: "task#0", wait: "10s" });
    const id = (done.json as { runs: RunRecord[] }).runs[0]!.id;
    const text = await get(`/api/v1/runs/${id}/log`, "/api/v1/runs/{id}/log");
    assert.deepEqual([text.status, text.text], [200, "hello\nworld\n"]);

    const started = await post("/api/v1/services/db/runs", RUNS, { rid: "task#slow" });
    const slow = (started.json as { runs: RunRecord[] }).runs[0]!.id;
    const followed = await stream(sock, { path: `/api/v1/runs/${slow}/log?follow=1` });
    assert.equal(followed.chunks.map((c) => c.text).join(""), "first\nsecond\n");
    const firstAt = followed.chunks.find((c) => c.text.includes("first"))!.at;
    const secondAt = followed.chunks.find((c) => c.text.includes("second"))!.at;
    assert.ok(secondAt - firstAt >= 1000, `lines arrive as written (first at ${firstAt} ms, second at ${secondAt} ms)`);

    const sse = await stream(sock, { path: `/api/v1/runs/${id}/log`, headers: { accept: "text/event-stream" } });
    assert.match(String(sse.headers["content-type"]), /^text\/event-stream/);
    const body = sse.chunks.map((c) => c.text).join("");
    assert.match(body, /^event: output\nid: 12\ndata: hello\ndata: world\ndata: \n\n/);
    assert.match(body, /event: end\nid: 12\ndata: \{"status":"succeeded","exitCode":0,"reason":null\}\n\n$/);
    const resumed = await stream(sock, { path: `/api/v1/runs/${id}/log`, headers: { accept: "text/event-stream", "last-event-id": "6" } });
    assert.match(resumed.chunks.map((c) => c.text).join(""), /^event: output\nid: 12\ndata: world\ndata: \n\n/, "resumes after byte 6");
    assert.equal((await get("/api/v1/runs/999999/log", "/api/v1/runs/{id}/log")).status, 404);
  });

  test("keys: read may not run (403, nothing ran); a run key outside its services is 403; a bad key 401; never in a query string", async () => {
    const before = dbRuns().length;
    const r = await post("/api/v1/services/db/runs", RUNS, { rid: "task#0" }, { key: keys.reader });
    assert.equal(r.status, 403);
    assert.match((r.json as { detail: string }).detail, /scope read; this needs run/);
    const w = await post("/api/v1/services/db/runs", RUNS, { rid: "task#0" }, { key: keys["runner-web"] });
    assert.equal(w.status, 403);
    assert.equal(dbRuns().length, before);
    const list = await get("/api/v1/services", "/api/v1/services", keys["runner-web"]);
    assert.deepEqual((list.json as { items: { path: string }[] }).items.map((s) => s.path), ["web"], "a key sees only its services");
    const runs = await get("/api/v1/runs", "/api/v1/runs", keys["runner-web"]);
    assert.deepEqual((runs.json as { items: RunRecord[] }).items, [], "nor their runs");
    const bad = await get("/api/v1/runs", "/api/v1/runs", `${keys.reader!.slice(0, -1)}x`);
    assert.equal(bad.status, 401);
    assert.match(String(bad.headers["www-authenticate"]), /^Bearer/);
    const q = await get(`/api/v1/runs?key=${keys.reader}`, "/api/v1/runs");
    assert.equal(q.status, 400);
    const log = daemon.events.filter((e) => e.event === "api-refused");
    assert.ok(log.some((e) => e.key === "reader" && e.status === 403), "a refusal is logged with the key's name");
    assert.ok(!JSON.stringify(daemon.events).includes(keys.reader!.split("_")[2]!), "the secret is never logged");
  });

  test("stop: a running run of the daemon's is killed and recorded aborted; a finished one is 409; a read key 403", async () => {
    const started = await post("/api/v1/services/db/runs", RUNS, { rid: "task#slow" });
    const id = (started.json as { runs: RunRecord[] }).runs[0]!.id;
    assert.equal((await post(`/api/v1/runs/${id}/stop`, "/api/v1/runs/{id}/stop", {}, { key: keys.reader })).status, 403);
    const stop = await post(`/api/v1/runs/${id}/stop`, "/api/v1/runs/{id}/stop", {});
    assert.equal(stop.status, 202, stop.text);
    for (let i = 0; i < 100 && dbRuns().find((r) => r.id === id)?.status === "running"; i++) await new Promise((r) => setTimeout(r, 100));
    const rec = dbRuns().find((r) => r.id === id)!;
    assert.equal(rec.status, "aborted");
    assert.doesNotMatch(rec.outputHead, /second/, "stopped before its end");
    assert.equal((await post(`/api/v1/runs/${id}/stop`, "/api/v1/runs/{id}/stop", {})).status, 409);
    assert.ok(daemon.events.some((e) => e.event === "run-stop" && e.runId === id && e.by === "root"));
  });

  test("unknown routes and methods are problem+json", async () => {
    const a = await call(sock, { path: "/api/v1/nope" });
    assert.equal(a.status, 404);
    assert.match(String(a.headers["content-type"]), /^application\/problem\+json/);
  });
});
