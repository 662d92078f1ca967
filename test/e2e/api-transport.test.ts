import { after, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { connect } from "node:net";
import { newKey } from "../../src/api/keys.js";
import { writeKeyFile } from "../../src/platform/api-key-file.js";
import type { RunRecord } from "../../src/core/run-record.js";
import { Daemon, killAllDaemons, records } from "./daemon-harness.js";
import { makeRoot, spawnCli, type TestRoot } from "./helpers.js";
import { call, type Target } from "./api-client.js";

/** The API's transports and the CLI through the daemon: TCP, TLS, abuse, `run --detach`. */
describe("API transports, abuse, and run --detach", { concurrency: false }, () => {
  after(() => killAllDaemons());

  const readerKey = (root: TestRoot): string => {
    const k = newKey();
    writeKeyFile(root.path("var", "apikeys.json"), { keys: [{ id: k.id, name: "ops", hash: k.hash, scope: "run", services: [], createdAt: Date.now(), expiresAt: null, revokedAt: null, createdBy: "test" }] });
    return k.text;
  };
  const listening = async (d: Daemon, scheme: string): Promise<string> => {
    const e = await d.waitEvent("api listening", (ev) => ev.event === "api-listening");
    return (e.addresses as string[]).find((a) => a.startsWith(scheme))!;
  };

  test("TCP on loopback: a key is needed even for root; off loopback without TLS the daemon refuses to start", async (t) => {
    const root = makeRoot(t);
    root.writeConf("db", "[task#0]\ncommand = /bin/echo over-tcp\n");
    const d = Daemon.start(root, ["--listen", "127.0.0.1:0"]);
    const url = await listening(d, "http://127.0.0.1:");
    const key = readerKey(root);
    const tcp: Target = { url };
    assert.equal((await call(tcp, { path: "/api/v1/services" })).status, 401, "no uid on TCP: no key, no entry");
    assert.equal((await call(tcp, { path: "/api/v1/health" })).status, 200);
    const run = await call(tcp, { method: "POST", path: "/api/v1/services/db/runs", body: { wait: "10s" }, key });
    assert.equal(run.status, 200, run.text);
    assert.equal((run.json as { runs: RunRecord[] }).runs[0]!.outputHead, "over-tcp\n");
    const x = await call(tcp, { path: "/api/v1/runs", headers: { "x-api-key": key } });
    assert.equal(x.status, 200, "X-API-Key works too");
    await d.stop();

    const refused = Daemon.start(root, ["--listen", "0.0.0.0:0"]);
    const exit = await refused.exited;
    assert.equal(exit.code, 2);
    assert.match(refused.stderr, /without TLS: set \[listener\] tls_cert and tls_key .* or pass --insecure-http/);
  });

  test("TLS from node.conf [listener]: HTTPS with the configured certificate, TLS 1.2 or later", async (t) => {
    const root = makeRoot(t);
    root.writeConf("db", "[task#0]\ncommand = /bin/true\n");
    const cert = root.path("etc", "api.crt");
    const keyFile = root.path("etc", "api.key");
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost", "-keyout", keyFile, "-out", cert], { stdio: "ignore" });
    root.writeConf("node", `[listener]\naddr = 127.0.0.1\nport = 0\ntls_cert = ${cert}\ntls_key = ${keyFile}\n`);
    const d = Daemon.start(root);
    const url = await listening(d, "https://");
    const key = readerKey(root);
    const a = await call({ url, insecure: true }, { path: "/api/v1/services", key });
    assert.equal(a.status, 200, a.text);
    const plain = await call({ url: url.replace("https:", "http:") }, { path: "/api/v1/health" }).catch((e: Error) => e);
    assert.ok(plain instanceof Error || plain.status >= 400, "no plain HTTP on the TLS port");
    const old = spawnSync("openssl", ["s_client", "-connect", new URL(url).host, "-tls1_1"], { input: "", encoding: "utf8" });
    assert.notEqual(old.status, 0);
    assert.match(old.stderr, /alert protocol version/, "the server refuses TLS 1.1");
  });

  test("abuse: 1,000 connections at once, a slow client, a body over 1 MiB: answers or back-pressure, the daemon lives", async (t) => {
    const root = makeRoot(t);
    root.writeConf("db", "[task#0]\ncommand = /bin/true\n");
    const d = Daemon.start(root);
    await d.waitEvent("api listening", (e) => e.event === "api-listening");
    const sock: Target = { socket: root.path("var", "daemon.sock") };
    // A slow client sends half its headers and stalls: others are served meanwhile.
    const slow = connect(root.path("var", "daemon.sock"));
    slow.write("GET /api/v1/health HTTP/1.1\r\nHost: x\r\n");
    const answers = await Promise.all(Array.from({ length: 1000 }, () => call(sock, { path: "/api/v1/health", timeoutMs: 60_000 }).then((a) => String(a.status), (e: NodeJS.ErrnoException) => e.code ?? e.message)));
    const counts = answers.reduce<Record<string, number>>((acc, a) => ((acc[a] = (acc[a] ?? 0) + 1), acc), {});
    assert.equal(counts["200"], 1000, `every one of 1,000 concurrent requests answered: ${JSON.stringify(counts)}`);
    const big = await call(sock, { method: "POST", path: "/api/v1/services/db/runs", body: "x".repeat(2 * 1024 * 1024) });
    assert.equal(big.status, 413);
    assert.equal((await call(sock, { path: "/api/v1/health" })).status, 200, "still answering");
    slow.destroy();
    assert.equal(d.exit, null, "the daemon is alive");
    assert.equal(records(root).length, 0, "nothing ran");
  });

  test("run --detach prints the run id; --wait streams the output and exits with the task's code; a closed terminal does not stop the run", async (t) => {
    const root = makeRoot(t);
    root.writeConf("db", [
      "[task#0]", "command = /bin/sh -c 'echo one; sleep 0.5; echo two; exit 3'", "",
      "[task#long]", "command = /bin/sh -c 'sleep 1.5; echo done'", "",
    ].join("\n"));
    const none = await root.run(["-s", "db", "run", "--detach"]);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /none is running .* start one \(svcmgr daemon start\) or run without --detach/);
    const d = Daemon.start(root);
    await d.waitEvent("api listening", (e) => e.event === "api-listening");
    const det = await root.run(["-s", "db", "run", "--rid", "task#0", "--detach"]);
    assert.equal(det.status, 0, det.stderr);
    const id = Number(/run (\d+) started by the daemon/.exec(det.stdout)?.[1]);
    assert.ok(id > 0, det.stdout);
    for (let i = 0; i < 50 && records(root, { rid: "task#0" })[0]?.status === "running"; i++) await new Promise((r) => setTimeout(r, 100));
    const waited = await root.run(["-s", "db", "run", "--rid", "task#0", "--detach", "--wait"]);
    assert.equal(waited.status, 3, waited.stdout + waited.stderr);
    assert.match(waited.stdout, /run \d+ started by the daemon\none\ntwo\n/);
    assert.match(waited.stderr, /db task#0: run \d+ failed \(exit 3\)/);

    // The terminal goes: SIGHUP to the following CLI. The daemon's run goes on and is recorded.
    const child = spawnCli(["--root", root.dir, "-s", "db", "run", "--rid", "task#long", "--detach", "--wait"]);
    for (let i = 0; i < 100 && records(root, { rid: "task#long" }).length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(records(root, { rid: "task#long" })[0]?.status, "running", "handed to the daemon");
    child.kill("SIGHUP");
    await new Promise((r) => child.on("close", r));
    for (let i = 0; i < 50 && records(root, { rid: "task#long" })[0]?.status !== "succeeded"; i++) await new Promise((r) => setTimeout(r, 100));
    const long = records(root, { rid: "task#long" });
    assert.deepEqual(long.map((r) => [r.trigger, r.status, r.outputHead]), [["api", "succeeded", "done\n"]]);
  });
});
