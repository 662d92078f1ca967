import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { newKey } from "../../src/api/keys.js";
import type { Scope } from "../../src/core/api-key.js";
import { readKeyFile, writeKeyFile } from "../../src/platform/api-key-file.js";
import { killAllDaemons, records, setup, startDaemon, type Daemon } from "./daemon-harness.js";
import { call as request, OpenApiChecker, type Answer, type Target } from "./api-client.js";
import { checkMetrics, samples, skipUnlessPromtool } from "../helpers/prometheus.js";

const TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

/** A request; the content type alone of its answer's. */
async function call(target: Target, method: string, path: string, opts: { key?: string; body?: unknown } = {}): Promise<Answer & { type: string }> {
  const a = await request(target, { method, path, ...opts });
  return { ...a, type: String(a.headers["content-type"] ?? "") };
}

/** Adds a key to the root's key file as `svcmgr apikey create` stores it; answers the key's text. */
function addKey(rootDir: string, name: string, scope: Scope, services: readonly string[] = []): string {
  const file = join(rootDir, "var", "apikeys.json");
  const k = newKey();
  const stored = { id: k.id, name, hash: k.hash, scope, services, createdAt: Date.now(), expiresAt: null, revokedAt: null, createdBy: "test" };
  writeKeyFile(file, { keys: [...readKeyFile(file).keys, stored] });
  return k.text;
}

async function scrape(target: Target, key?: string): Promise<string> {
  const a = await call(target, "GET", "/metrics", key === undefined ? {} : { key });
  assert.equal(a.status, 200, a.text);
  assert.equal(a.type, TEXT_FORMAT);
  return a.text;
}

const runsOf = (s: Map<string, number>, filter: string) => [...s].filter(([k]) => k.startsWith("svcmgr_task_runs_total{") && k.includes(filter));
const sum = (list: Array<[string, number]>) => list.reduce((n, [, v]) => n + v, 0);

/** The TCP address the daemon logged (`--listen 127.0.0.1:0`). */
async function tcpTarget(d: Daemon): Promise<Target> {
  const e = await d.waitEvent("API listening", (x) => x.event === "api-listening");
  const url = (e.addresses as string[]).find((a) => a.startsWith("http://"))!;
  return { url };
}

describe("GET /metrics and GET /api/v1/stats on a real daemon", { concurrency: true }, () => {
  after(() => killAllDaemons());

  test("each run increments exactly one series by one; gauges follow; pruning the history lowers no counter (the statistics follow the history)", async (t) => {
    const o = setup(t);
    const r = o.root;
    r.writeConf("m", "[task#0]\ncommand = true\n\n[task#1]\ncommand = false\n\n[task#2]\ncommand = true\nschedule = @1s\n");
    const d = startDaemon(o);
    await d.waitEvent("task#2 planned", (e) => e.event === "planned" && e.svc === "m" && e.rid === "task#2");
    const sock = { socket: r.path("var", "daemon.sock") };

    const first = samples(await scrape(sock));
    assert.equal(first.get('svcmgr_task_running{svc="m",rid="task#0"}'), 0, "every configured task has its gauges from the start");
    assert.equal(first.get('svcmgr_task_slots_missed_total{svc="m",rid="task#1"}'), 0);

    const asked: Array<[string, string]> = [["task#0", "succeeded"], ["task#1", "failed"], ["task#0", "succeeded"], ["task#1", "failed"], ["task#0", "succeeded"]];
    for (const [rid, status] of asked) {
      const before = samples(await scrape(sock));
      const res = await call(sock, "POST", "/api/v1/services/m/runs", { body: { rid, wait: "30s" } });
      assert.equal(res.status, 200, res.text);
      const after = samples(await scrape(sock));
      const moved = runsOf(after, 'trigger="api"').filter(([k, v]) => v !== (before.get(k) ?? 0));
      assert.deepEqual(moved.map(([k, v]) => [k, v - (before.get(k) ?? 0)]), [[`svcmgr_task_runs_total{svc="m",rid="${rid}",trigger="api",status="${status}"}`, 1]], "one run, one series, +1");
      assert.equal(sum(runsOf(after, 'trigger="api"')) - sum(runsOf(before, 'trigger="api"')), 1);
    }
    const s = samples(await scrape(sock));
    assert.equal(s.get('svcmgr_task_runs_total{svc="m",rid="task#0",trigger="api",status="succeeded"}'), 3);
    assert.equal(s.get('svcmgr_task_runs_total{svc="m",rid="task#1",trigger="api",status="failed"}'), 2);
    assert.equal(s.get('svcmgr_task_run_duration_seconds_count{svc="m",rid="task#1"}'), 2);
    const api = records(r, { svc: "m", rid: "task#1" });
    assert.equal(s.get('svcmgr_task_last_failure_timestamp_seconds{svc="m",rid="task#1"}'), api[api.length - 1]!.endedAt! / 1000);
    assert.equal(s.get('svcmgr_task_last_success_timestamp_seconds{svc="m",rid="task#1"}'), undefined, "never succeeded");

    // Scheduled runs: what the history holds before a scrape ≤ the counter ≤ what it holds just after.
    const ended = () => records(r, { svc: "m", rid: "task#2" }).filter((x) => x.status === "succeeded").length;
    const low = ended();
    const sched = samples(await scrape(sock));
    await new Promise((res) => setTimeout(res, 300));
    const count = sched.get('svcmgr_task_runs_total{svc="m",rid="task#2",trigger="schedule",status="succeeded"}') ?? 0;
    assert.ok(low <= count && count <= ended(), `${low} ≤ ${count} ≤ history`);
    assert.ok((sched.get('svcmgr_task_start_delay_seconds_count{svc="m",rid="task#2"}') ?? 0) >= 1);
    assert.ok(sched.get('svcmgr_task_next_run_timestamp_seconds{svc="m",rid="task#2"}')! > Date.now() / 1000 - 2);
    assert.equal(sched.get('svcmgr_task_next_run_timestamp_seconds{svc="m",rid="task#0"}'), undefined, "not scheduled: no next run");

    // Statistics: from the history, today in the task's zone; the answer matches the OpenAPI document.
    const openapi = new OpenApiChecker((await call(sock, "GET", "/api/openapi.json")).json as ConstructorParameters<typeof OpenApiChecker>[0]);
    const st = await call(sock, "GET", "/api/v1/stats?svc=m&days=7");
    assert.equal(st.status, 200, st.text);
    openapi.check("GET", "/api/v1/stats", st);
    openapi.check("GET", "/metrics", await call(sock, "GET", "/metrics"));
    const body = st.json as { items: Array<{ rid: string; days: Array<{ count: number; failures: number; avgDurationMs: number | null; maxDurationMs: number | null }> }> };
    const today = (rid: string) => body.items.find((i) => i.rid === rid)!.days.at(-1)!;
    assert.equal(body.items.find((i) => i.rid === "task#0")!.days.length, 7);
    assert.deepEqual([today("task#0").count, today("task#0").failures], [3, 0]);
    assert.deepEqual([today("task#1").count, today("task#1").failures], [2, 2]);
    assert.ok(today("task#1").maxDurationMs! >= today("task#1").avgDurationMs!);

    const pruned = await r.run(["history", "prune", "--keep-runs", "1"]);
    assert.equal(pruned.status, 0, pruned.stderr);
    assert.equal(records(r, { svc: "m", rid: "task#0" }).length, 1);
    const later = samples(await scrape(sock));
    for (const [k, v] of s) if (k.startsWith("svcmgr_task_runs_total") || k.endsWith("_count") || k.includes("_bucket")) assert.ok((later.get(k) ?? 0) >= v, `${k} fell: ${v} → ${later.get(k)}`);
    assert.equal(later.get('svcmgr_task_runs_total{svc="m",rid="task#0",trigger="api",status="succeeded"}'), 3);
    const st2 = JSON.parse((await call(sock, "GET", "/api/v1/stats?svc=m&rid=task%230&days=1")).text) as typeof body;
    assert.deepEqual(st2.items.map((i) => [i.rid, i.days[0]!.count]), [["task#0", 1]], "the statistics count what the history holds");

    // A task removed from the configuration takes its series with it.
    r.writeConf("m", "[task#0]\ncommand = true\n");
    await d.waitEvent("reloaded", (e) => e.event === "reloaded" && e.svc === "m");
    const gone = await scrape(sock);
    assert.doesNotMatch(gone, /rid="task#1"/);
    assert.match(gone, /svcmgr_task_runs_total\{svc="m",rid="task#0",trigger="api",status="succeeded"\} 3/);
    assert.deepEqual(await d.stop(), { code: 0, signal: null });
  });

  test("keys: read scope needed, only the services a key covers; metrics_public opens /metrics alone; bad days refused", async (t) => {
    const o = setup(t);
    const r = o.root;
    r.writeConf("alpha", "[task#0]\ncommand = true\n");
    r.writeConf("beta", "[task#0]\ncommand = true\n");
    r.writeConf("node", "[listener]\nmetrics_public = true\n");
    const alphaKey = addKey(r.dir, "alpha-reader", "read", ["alph*"]);
    const d = startDaemon(o, ["--listen", "127.0.0.1:0"]);
    const tcp = await tcpTarget(d);
    const sock = { socket: r.path("var", "daemon.sock") };
    for (const svc of ["alpha", "beta"]) assert.equal((await call(sock, "POST", `/api/v1/services/${svc}/runs`, { body: { wait: "30s" } })).status, 200);

    const open = await scrape(tcp);
    assert.match(open, /svc="alpha"/);
    assert.match(open, /svc="beta"/);
    assert.equal((await call(tcp, "GET", "/api/v1/stats")).status, 401, "metrics_public opens /metrics only");

    const mine = await scrape(tcp, alphaKey);
    assert.match(mine, /svcmgr_task_runs_total\{svc="alpha",rid="task#0",trigger="api",status="succeeded"\} 1/);
    assert.doesNotMatch(mine, /svc="beta"/, "a key sees the services it covers, even where /metrics is public");
    const stats = JSON.parse((await call(tcp, "GET", "/api/v1/stats?days=1", { key: alphaKey })).text) as { items: Array<{ svc: string; days: Array<{ count: number }> }> };
    assert.deepEqual(stats.items.map((i) => [i.svc, i.days[0]!.count]), [["alpha", 1]]);
    const refused = await call(tcp, "GET", "/api/v1/stats?svc=beta", { key: alphaKey });
    assert.equal(refused.status, 403);
    assert.equal(refused.type, "application/problem+json");
    for (const bad of ["0", "367", "x"]) {
      const a = await call(sock, "GET", `/api/v1/stats?days=${bad}`);
      assert.equal(a.status, 400, bad);
      assert.match(a.text, /days/);
    }
    assert.equal((await call(tcp, "GET", "/metrics", { key: "svcmgr_000000000000_0000000000000000000000000000000000000000000" })).status, 401, "a bad key is refused, public or not");

    r.writeConf("node", "[listener]\nmetrics_public = false\n");
    assert.deepEqual(await d.stop(), { code: 0, signal: null });
    const closed = startDaemon(o, ["--listen", "127.0.0.1:0"]);
    const tcp2 = await tcpTarget(closed);
    const noKey = await call(tcp2, "GET", "/metrics");
    assert.equal(noKey.status, 401);
    assert.equal(noKey.type, "application/problem+json");
    assert.equal((await call(tcp2, "GET", "/metrics", { key: alphaKey })).status, 200);
    assert.deepEqual(await closed.stop(), { code: 0, signal: null });
  });

  test("promtool check metrics accepts the daemon's real output", { skip: skipUnlessPromtool() }, async (t) => {
    const o = setup(t);
    const r = o.root;
    r.writeConf("namespaces/prod/svc/db", "[task#0]\ncommand = true\nschedule = @1s\n\n[task#1]\ncommand = false\n");
    const d = startDaemon(o);
    const sock = { socket: r.path("var", "daemon.sock") };
    await d.waitEvent("a scheduled run", (e) => e.event === "finished" && e.rid === "task#0");
    assert.equal((await call(sock, "POST", `/api/v1/services/${encodeURIComponent("prod/svc/db")}/runs`, { body: { rid: "task#1", wait: "30s" } })).status, 200);
    const text = await scrape(sock);
    for (const family of ["build_info", "daemon_clock_jumps_total", "task_runs_total", "task_run_duration_seconds", "task_running", "task_last_success_timestamp_seconds", "task_last_failure_timestamp_seconds", "task_next_run_timestamp_seconds", "task_start_delay_seconds", "task_slots_missed_total"]) {
      assert.match(text, new RegExp(`^svcmgr_${family}(_bucket)?\\{`, "m"), family);
    }
    const v = checkMetrics(text);
    assert.equal(v.status, 0, `${v.output}\n${text}`);
    assert.deepEqual(await d.stop(), { code: 0, signal: null });
  });
});
