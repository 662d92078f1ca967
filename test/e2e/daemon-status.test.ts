import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { getJson } from "../../src/platform/daemon-client.js";
import { killAllDaemons, setup, startDaemon } from "./daemon-harness.js";

/** `daemon status` asks the running daemon on `<var>/daemon.sock` and answers live. */
describe("daemon status, live on the daemon's socket", { concurrency: true }, () => {
  after(() => killAllDaemons());

  test("status follows a reload at once; health answers; the socket is 0660 (0600 without the addon, which reads the peer's uid)", async (t) => {
    const o = setup(t);
    const r = o.root;
    r.writeConf("first", "[task#1]\ncommand = echo 1\nschedule = @1h\n");
    const d = startDaemon(o);
    await d.waitEvent("first planned", (e) => e.event === "planned" && e.svc === "first");
    await d.waitEvent("API listening", (e) => e.event === "api-listening");
    const sock = r.path("var", "daemon.sock");
    const native = process.env.SVCMGR_NATIVE !== "0";
    assert.equal(statSync(sock).mode & 0o777, native ? 0o660 : 0o600, "others reach the socket only where the daemon can tell who they are");

    const health = await getJson(sock, "/api/v1/health", 5000);
    assert.ok(health.ok && health.status === 200, JSON.stringify(health));
    const h = health.body as { status: string; node: string; version: string; uptimeS: number; store: unknown };
    assert.equal(h.status, "ok");
    assert.deepEqual(h.store, { kind: "sqlite", status: "ok", spooled: 0 }, "the embedded store: never degraded");
    assert.equal(typeof h.node, "string");
    assert.ok(h.node.length > 0);
    assert.match(h.version, /^\d+\.\d+\.\d+/);
    assert.ok(Number.isInteger(h.uptimeS) && h.uptimeS >= 0);

    const before = await r.run(["daemon", "status", "--format", "json"]);
    assert.equal(before.status, 0, before.stdout + before.stderr);
    const st1 = JSON.parse(before.stdout) as Record<string, unknown>;
    assert.deepEqual([st1.running, st1.answering, st1.pid, st1.services, st1.tasks], [true, true, d.pid, 1, 1]);

    r.writeConf("second", "[task#1]\ncommand = echo 2\nschedule = @1h\n\n[task#2]\ncommand = echo 3\n");
    await d.waitEvent("second loaded", (e) => e.event === "reloaded" && e.svc === "second");
    const st2 = JSON.parse((await r.run(["daemon", "status", "--format", "json"])).stdout) as Record<string, unknown>;
    assert.deepEqual([st2.services, st2.tasks, st2.scheduled], [2, 3, 2], "the reload shows at once, not a minute later");

    const text = await r.run(["daemon", "status"]);
    assert.equal(text.status, 0);
    assert.match(text.stdout, new RegExp(`^daemon: running \\(pid ${d.pid}\\) since \\S+, up \\d+ s, node \\S+, svcmgr \\S+\\n  services: 2\\n  tasks: 3\\n`));

    const missing = await getJson(sock, "/api/v1/nothing", 5000);
    assert.ok(missing.ok && missing.status === 404);
    assert.equal((missing.body as { title: string }).title, "Not Found");

    assert.deepEqual(await d.stop(), { code: 0, signal: null });
    const gone = await r.run(["daemon", "status"]);
    assert.equal(gone.status, 1);
    assert.equal(gone.stdout, "daemon: not running\n");
  });

  test("a daemon that does not answer is said so, with exit 1", async (t) => {
    const o = setup(t);
    const r = o.root;
    const d = startDaemon(o);
    await d.waitEvent("API listening", (e) => e.event === "api-listening");
    process.kill(d.pid, "SIGSTOP");
    try {
      const st = await r.run(["daemon", "status"]);
      assert.equal(st.status, 1);
      assert.equal(st.stdout, `daemon: running (pid ${d.pid}) but not answering on ${r.path("var", "daemon.sock")}: no answer within 3000 ms\n`);
      const js = JSON.parse((await r.run(["daemon", "status", "--format", "json"])).stdout) as Record<string, unknown>;
      assert.deepEqual([js.running, js.answering, js.pid], [true, false, d.pid]);
    } finally {
      process.kill(d.pid, "SIGCONT");
    }
    assert.deepEqual(await d.stop(), { code: 0, signal: null });
  });
});
