/**
 * API keys end to end (design §11): keys made by `svcmgr apikey create`, presented to a real
 * daemon on its real socket, as `Authorization: Bearer` and as `X-API-Key`, by root and by
 * another user. 401 for every kind of bad key (with WWW-Authenticate), at the next request once
 * revoked or expired; 403 outside scope or services with nothing run; 400 for a key in a URL;
 * each refusal logged with the key's name; the secret in no log, no output, no history.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { RunRecord } from "../../src/core/run-record.js";
import { Daemon, killAllDaemons, records, type LogEvent } from "./daemon-harness.js";
import { makeRoot, type TestRoot } from "./helpers.js";
import { call, type Answer, type Req, type Target } from "./api-client.js";
import { createUser } from "../security/users.js";
import { skipUnless, skipUnlessRoot } from "../helpers/require-all.js";

type Problem = { status: number; detail: string };

describe("API keys on a real daemon", { concurrency: false }, () => {
  let root: TestRoot;
  let daemon: Daemon;
  let sock: Target;
  const keys: Record<string, string> = {};

  const create = async (name: string, ...args: string[]): Promise<string> => {
    const r = await root.run(["apikey", "create", name, ...args]);
    assert.equal(r.status, 0, r.stderr);
    return (keys[name] = r.stdout.trim().split("\n").at(-1)!);
  };
  /** One connection per request: a kept-alive one the daemon closes when idle could race a new request (EPIPE). */
  const send = (r: Req) => call(sock, { ...r, headers: { connection: "close", ...r.headers } });
  const get = (path: string, headers: Record<string, string> = {}) => send({ path, headers });
  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
  const paths = (a: Answer) => (a.json as { items: { path: string }[] }).items.map((s) => s.path);
  /** The daemon's log line for a refusal (it may come just after the answer). */
  const refusal = (what: string, pred: (e: LogEvent) => boolean) => daemon.waitEvent(what, (e) => e.event === "api-refused" && pred(e), 5000);
  const secretOf = (key: string) => key.split("_")[2]!;

  before(async () => {
    root = makeRoot();
    for (const svc of ["web1", "web2", "db"]) root.writeConf(svc, `[task#0]\ncommand = /bin/echo ran ${svc}\n`);
    await create("reader", "--scope", "read");
    await create("webrun", "--scope", "run", "--services", "web*");
    await create("ops", "--scope", "admin");
    await create("spare", "--scope", "read");
    daemon = Daemon.start(root);
    await daemon.waitEvent("api listening", (e) => e.event === "api-listening");
    sock = { socket: root.path("var", "daemon.sock") };
  });
  after(() => killAllDaemons());

  test("a key works as 'Authorization: Bearer' and as 'X-API-Key'; its services bound what it sees; admin sees all", async () => {
    const viaBearer = await get("/api/v1/services", bearer(keys.webrun!));
    assert.equal(viaBearer.status, 200, viaBearer.text);
    assert.deepEqual(paths(viaBearer), ["web1", "web2"]);
    const viaHeader = await get("/api/v1/services", { "x-api-key": keys.webrun! });
    assert.deepEqual(paths(viaHeader), ["web1", "web2"]);
    assert.deepEqual(paths(await get("/api/v1/services", bearer(keys.ops!))), ["db", "web1", "web2"]);
    assert.deepEqual(paths(await get("/api/v1/services", { "x-api-key": keys.reader! })), ["db", "web1", "web2"]);
    assert.equal((await get("/api/v1/services/db", bearer(keys.webrun!))).status, 403, "a service outside its globs");
  });

  test("a run key runs its services' tasks, recorded with trigger api and the key's name; outside its globs 403 and nothing runs", async () => {
    const ran = await send({ method: "POST", path: "/api/v1/services/web1/runs", body: { rid: "task#0", wait: "20s" }, headers: { "x-api-key": keys.webrun! } });
    assert.equal(ran.status, 200, ran.text);
    const rec = (ran.json as { runs: RunRecord[] }).runs[0]!;
    assert.deepEqual([rec.svc, rec.status, rec.trigger, rec.initiatedBy], ["web1", "succeeded", "api", "webrun"]);
    const before = records(root).length;
    const out = await send({ method: "POST", path: "/api/v1/services/db/runs", body: { rid: "task#0", wait: "5s" }, key: keys.webrun! });
    assert.equal(out.status, 403);
    assert.equal((out.json as Problem).detail, 'the key "webrun" does not cover the service db');
    const read = await send({ method: "POST", path: "/api/v1/services/web1/runs", body: { rid: "task#0", wait: "5s" }, key: keys.reader! });
    assert.equal(read.status, 403);
    assert.equal((read.json as Problem).detail, 'the key "reader" has scope read; this needs run');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(records(root).length, before, "a refused request ran nothing");
    await refusal("the refusal logged with the key's name", (e) => e.status === 403 && e.key === "webrun" && e.path === "/api/v1/services/db/runs");
    await refusal("the read key's refusal", (e) => e.status === 403 && e.key === "reader");
  });

  test("no key, malformed, unknown id, wrong secret: 401 with WWW-Authenticate, never a hint of which", async () => {
    const other = keys.spare!;
    const wrongSecret = `svcmgr_${keys.reader!.split("_")[1]}_${secretOf(other)}`;
    const unknownId = `svcmgr_${"Z".repeat(12)}_${secretOf(keys.reader!)}`;
    const cases: Array<[string, Record<string, string>]> = [
      ["malformed", bearer("svcmgr_short")],
      ["not a bearer", { authorization: `Basic ${Buffer.from(`x:${keys.reader}`).toString("base64")}` }],
      ["empty bearer", { authorization: "Bearer " }],
      ["unknown id", bearer(unknownId)],
      ["wrong secret", { "x-api-key": wrongSecret }],
      ["one character off", bearer(keys.reader!.slice(0, -1) + (keys.reader!.endsWith("a") ? "b" : "a"))],
    ];
    for (const [what, headers] of cases) {
      const a = await get("/api/v1/services", headers);
      assert.equal(a.status, 401, `${what}: ${a.text}`);
      assert.equal(a.headers["www-authenticate"], 'Bearer realm="svcmgr"', what);
      assert.match(String(a.headers["content-type"]), /^application\/problem\+json/);
      assert.equal((a.json as Problem).detail, "invalid API key", what);
    }
    await refusal("a wrong secret for a known id logged with that key's name", (e) => e.status === 401 && e.key === "reader");
    await refusal("a malformed key logged as no known key", (e) => e.status === 401 && e.key === null && / \(401, no known key\): malformed key$/.test(e.message));
  });

  test("a key in the query string is refused with 400, whatever its parameter's name, even with a valid header", async () => {
    const anyName = [`svc=${keys.ops}`, `limit=5&x=${encodeURIComponent(keys.ops!)}`, `${keys.ops}=1`];
    for (const q of [`key=${keys.ops}`, `api_key=${keys.ops}`, `access_token=${keys.ops}`, `token=${keys.ops}`, `limit=5&apikey=${keys.ops}`, ...anyName]) {
      const a = await get(`/api/v1/runs?${q}`);
      assert.equal(a.status, 400, q);
      assert.match((a.json as Problem).detail, /never accepted in a query string/);
      assert.equal((await get(`/api/v1/runs?${q}`, bearer(keys.ops!))).status, 400, `${q} with a header`);
    }
  });

  test("revoked with the CLI: refused from the next request on, without a reload", async () => {
    const k = await create("temp", "--scope", "read");
    assert.equal((await get("/api/v1/services", bearer(k))).status, 200);
    assert.equal((await root.run(["apikey", "revoke", "temp"])).status, 0);
    const a = await get("/api/v1/services", bearer(k));
    assert.equal(a.status, 401);
    assert.equal((a.json as Problem).detail, "this API key was revoked");
    assert.equal(a.headers["www-authenticate"], 'Bearer realm="svcmgr"');
    await refusal("the revoked key's refusal", (e) => e.status === 401 && e.key === "temp");
    assert.equal((await get("/api/v1/services", bearer(keys.reader!))).status, 200, "the other keys still work");
  });

  test("expired: refused once its time has passed", async () => {
    const k = await create("brief", "--scope", "read", "--expires", "1500ms");
    const listed = JSON.parse((await root.run(["apikey", "ls", "--format", "json"])).stdout) as Array<{ name: string; expiresAt: number }>;
    const expiresAt = listed.find((v) => v.name === "brief")!.expiresAt;
    await new Promise((r) => setTimeout(r, Math.max(0, expiresAt - Date.now()) + 100));
    const a = await get("/api/v1/services", bearer(k));
    assert.equal(a.status, 401);
    assert.equal((a.json as Problem).detail, "this API key was valid until its expiry, now past");
    const ls = JSON.parse((await root.run(["apikey", "ls", "--format", "json"])).stdout) as Array<{ name: string; state: string }>;
    assert.equal(ls.find((v) => v.name === "brief")!.state, "expired");
  });

  test("another user: nothing without a key (401), what its key allows with one", { skip: skipUnlessRoot() || skipUnless(process.env.SVCMGR_NATIVE !== "0", "the socket is 0600 without the addon") }, (t) => {
    const user = createUser(t);
    const asOther = (key: string | null) => {
      const script = `const h = require("node:http"); const r = h.request({ socketPath: process.argv[1], path: "/api/v1/services", headers: ${key === null ? "{}" : `{ "x-api-key": process.argv[2] }`} }, (res) => { let b = ""; res.on("data", (d) => (b += d)); res.on("end", () => console.log(JSON.stringify({ status: res.statusCode, auth: res.headers["www-authenticate"] ?? null, body: b }))); }); r.end();`;
      // group root reaches the 0660 socket; the daemon sees the user's uid (SO_PEERCRED)
      const r = spawnSync("setpriv", [`--reuid=${user.uid}`, "--regid=0", "--clear-groups", "--", process.execPath, "-e", script, root.path("var", "daemon.sock"), ...(key === null ? [] : [key])], { encoding: "utf8" });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as { status: number; auth: string | null; body: string };
    };
    const none = asOther(null);
    assert.deepEqual([none.status, none.auth], [401, 'Bearer realm="svcmgr"']);
    assert.match(none.body, /an API key is required/);
    const withKey = asOther(keys.webrun!);
    assert.equal(withKey.status, 200, withKey.body);
    assert.deepEqual((JSON.parse(withKey.body) as { items: { path: string }[] }).items.map((s) => s.path), ["web1", "web2"]);
  });

  test("a damaged keys file refuses every key and the daemon says why once; root on the socket still works", async () => {
    const file = root.path("var", "apikeys.json");
    const good = readFileSync(file, "utf8");
    try {
      writeFileSync(file, good.replace('"scope": "admin"', '"scope": "superuser"'));
      for (let i = 0; i < 3; i++) assert.equal((await get("/api/v1/services", bearer(keys.reader!))).status, 401);
      await daemon.waitEvent("the keys file refused", (e) => e.event === "api-keys", 5000);
      assert.equal((await get("/api/v1/services")).status, 200, "root without a key");
      const said = daemon.events.filter((e) => e.event === "api-keys");
      assert.equal(said.length, 1, JSON.stringify(said));
      assert.match(said[0]!.message, /^API keys unusable, every key refused: .*apikeys\.json: key \d: unknown scope "superuser"$/);
    } finally {
      writeFileSync(file, good);
    }
    assert.equal((await get("/api/v1/services", bearer(keys.reader!))).status, 200, "fixed: the keys work again");
  });

  test("the secrets are in no log, no output file and no history; last uses reach apikey ls once the daemon stops", async () => {
    assert.equal((await send({ method: "POST", path: "/api/v1/services/db/runs", body: { wait: "20s" }, key: keys.ops! })).status, 200);
    assert.deepEqual(await daemon.stop(), { code: 0, signal: null });
    const secrets = Object.entries(keys).map(([name, k]) => [name, secretOf(k)] as const);
    const texts = [JSON.stringify(daemon.events), daemon.stderr, ...filesUnder(root.dir).map((f) => readFileSync(f).toString("latin1"))];
    assert.ok(filesUnder(root.dir).some((f) => f.endsWith("history.sqlite")) && filesUnder(root.path("log")).length > 0, "the history and logs were looked at");
    for (const [name, s] of secrets) assert.ok(!texts.some((t) => t.includes(s)), `the secret of ${name} was written somewhere`);
    const ls = JSON.parse((await root.run(["apikey", "ls", "--all", "--format", "json"])).stdout) as Array<{ name: string; lastUsedAt: number | null }>;
    const used = Object.fromEntries(ls.map((v) => [v.name, v.lastUsedAt !== null]));
    assert.deepEqual(used, { reader: true, webrun: true, ops: true, spare: false, temp: true, brief: false });
    assert.equal(statSync(root.path("var", "apikeys-used.json")).mode & 0o777, 0o600);
  });
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? filesUnder(p) : e.isFile() ? [p] : [];
  });
}
