import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { newKey } from "../../src/api/keys.js";
import { readKeyFile, writeKeyFile } from "../../src/platform/api-key-file.js";
import type { Scope, StoredKey } from "../../src/core/api-key.js";
import { Daemon, killAllDaemons, records } from "../e2e/daemon-harness.js";
import { makeRoot, type TestRoot } from "../e2e/helpers.js";
import { launch, screenshot, skipUnlessChromium } from "./browser.js";

/**
 * The web UI in a real browser (Debian's Chromium through playwright-core) against a real
 * daemon: log in with a key, every page, a run followed live, a confirmation typed, CSRF and
 * the security headers, nothing leaving loopback, a revoked key ending the session.
 */
describe("web UI in Chromium", { skip: skipUnlessChromium(), concurrency: false }, () => {
  let root: TestRoot;
  let daemon: Daemon;
  let browser: Browser;
  let base: string;
  const keys: Record<string, { text: string; stored: StoredKey }> = {};
  const offLoopback: string[] = [];

  const addKey = (name: string, scope: Scope, services: string[] = []) => {
    const k = newKey();
    keys[name] = { text: k.text, stored: { id: k.id, name, hash: k.hash, scope, services, createdAt: Date.now(), expiresAt: null, revokedAt: null, createdBy: "test" } };
  };
  const saveKeys = () => writeKeyFile(root.path("var", "apikeys.json"), { keys: Object.values(keys).map((k) => k.stored) });

  async function newPage(ctx?: BrowserContext): Promise<Page> {
    const page = await (ctx ?? (await browser.newContext())).newPage();
    page.on("request", (r) => {
      const host = new URL(r.url()).hostname;
      if (host !== "127.0.0.1" && host !== "localhost") offLoopback.push(r.url());
    });
    return page;
  }

  async function login(page: Page, key: string): Promise<void> {
    await page.goto(`${base}/login`);
    await page.getByLabel("API key").fill(key);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(`${base}/`);
  }

  before(async () => {
    root = makeRoot();
    root.writeConf("db", [
      "[task#0]", "command = /bin/sh -c 'echo \"<script>window.pwned=1</script> first\"; sleep 1.5; echo second'", "schedule = 0 2 * * *", "tags = backup <script>x</script>", "",
      "[task#c]", "command = /bin/echo confirmed", "confirmation = true", "",
      "[task#color]", "command = /bin/sh -c 'printf \"\\033[31mred\\033[0m plain\\n\"'", "",
    ].join("\n"));
    root.writeConf("web", "[task#0]\ncommand = /bin/true\n");
    root.writeConf("evil", "[task#<img src=x onerror=window.pwned=2>]\ncommand = /bin/true\n");
    root.path("var");
    addKey("admin", "admin");
    addKey("dbonly", "read", ["db"]);
    saveKeys();
    daemon = Daemon.start(root, ["--listen", "127.0.0.1:0"]);
    const e = await daemon.waitEvent("api listening", (ev) => ev.event === "api-listening");
    base = (e.addresses as string[]).find((a) => a.startsWith("http://"))!;
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
    await killAllDaemons();
  });

  test("without a session nothing of the services shows: every page sends to the login", async () => {
    const page = await newPage();
    for (const path of ["/", "/services/db", "/history", "/runs/1"]) {
      const res = await page.goto(`${base}${path}`);
      assert.equal(new URL(page.url()).pathname, "/login", path);
      assert.ok(res !== null);
      const text = await page.content();
      assert.doesNotMatch(text, /task#0|>db<|web/, `${path} shows nothing of the services`);
    }
    await page.getByLabel("API key").fill("svcmgr_nope");
    await page.getByRole("button", { name: "Log in" }).click();
    await page.getByRole("alert").filter({ hasText: "not a valid API key" }).waitFor();
    await page.context().close();
  });

  test("log in, browse services, a service, history; headers forbid framing and inline scripts", async () => {
    const page = await newPage();
    await login(page, keys.admin!.text);
    const res = await page.goto(`${base}/`);
    const headers = res!.headers();
    assert.match(headers["content-security-policy"]!, /frame-ancestors 'none'/);
    assert.match(headers["content-security-policy"]!, /script-src 'self'(;|$)/);
    assert.doesNotMatch(headers["content-security-policy"]!, /unsafe-inline/);
    assert.equal(headers["x-frame-options"], "DENY");
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === "svcmgr_session")!;
    assert.deepEqual([session.httpOnly, session.sameSite], [true, "Strict"]);
    const services = await page.textContent("main");
    assert.match(services!, /evil\s*–\s*0\s*none\s*invalid .*task#<img src=x onerror=window\.pwned=2>/s, "a refused section name shows as text in the error");
    assert.equal(await page.locator("main img").count(), 0);
    await page.getByRole("link", { name: "db", exact: true }).click();
    await page.getByRole("heading", { name: /db/ }).waitFor();
    const body = await page.textContent("main");
    assert.match(body!, /0 2 \* \* \*/);
    assert.match(body!, /at 02:00 every day/, "the schedule in plain words");
    assert.match(body!, /tags: backup, <script>x<\/script>/, "a tag with markup shows as text");
    assert.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);
    await screenshot(page, "service");
    await page.getByRole("link", { name: "History" }).click();
    await page.getByRole("heading", { name: "History" }).waitFor();
    await screenshot(page, "history");
    await page.context().close();
  });

  test("run now: the output arrives live, escaped, and the status turns final without a reload", async () => {
    const page = await newPage();
    await login(page, keys.admin!.text);
    await page.goto(`${base}/services/db`);
    await page.locator('tr[data-rid="task#0"]').getByRole("button", { name: "Run now" }).click();
    await page.waitForURL(/\/runs\/\d+$/);
    const log = page.locator("#log");
    await log.filter({ hasText: "first" }).waitFor({ timeout: 5000 });
    const firstSeen = Date.now();
    assert.doesNotMatch(await log.textContent() ?? "", /second/, "the first line shows before the task ends");
    await log.filter({ hasText: "second" }).waitFor({ timeout: 10_000 });
    assert.ok(Date.now() - firstSeen >= 800, "the second line came later, live");
    await page.locator("#run-status", { hasText: "succeeded" }).waitFor({ timeout: 10_000 });
    assert.match(await log.textContent() ?? "", /<script>window\.pwned=1<\/script> first/, "output markup is text");
    assert.match(await page.textContent("dl.record") ?? "", /Command.*<script>window\.pwned=1<\/script> first/, "command text with markup is text");
    assert.equal(await page.locator("#log script").count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);
    await screenshot(page, "run-live");
    const colour = await newPage(page.context());
    await colour.goto(`${base}/services/db`);
    await colour.locator('tr[data-rid="task#color"]').getByRole("button", { name: "Run now" }).click();
    await colour.locator("#run-status", { hasText: "succeeded" }).waitFor({ timeout: 10_000 });
    await colour.reload();
    assert.equal((await colour.locator("#log").textContent())?.trim(), "red plain", "ANSI colour codes stripped");
    await page.context().close();
  });

  test("a confirmation task runs only when its rid is typed", async () => {
    const page = await newPage();
    await login(page, keys.admin!.text);
    await page.goto(`${base}/services/db`);
    const row = page.locator('tr[data-rid="task#c"]');
    await row.getByLabel(/Type task#c to confirm/).fill("yes");
    await row.getByRole("button", { name: "Run now" }).click();
    await page.getByRole("alert").filter({ hasText: "confirmation required" }).waitFor();
    assert.equal(records(root, { rid: "task#c" }).length, 0, "nothing ran");
    await page.locator('tr[data-rid="task#c"]').getByLabel(/Type task#c to confirm/).fill("task#c");
    await page.locator('tr[data-rid="task#c"]').getByRole("button", { name: "Run now" }).click();
    await page.waitForURL(/\/runs\/\d+$/);
    await page.locator("#run-status", { hasText: "succeeded" }).waitFor({ timeout: 10_000 });
    assert.equal(records(root, { rid: "task#c" })[0]!.initiatedBy, "admin");
    await page.context().close();
  });

  test("CSRF: a POST with the session cookie but without the token acts on nothing", async () => {
    const page = await newPage();
    await login(page, keys.admin!.text);
    const before = records(root).length;
    const res = await page.request.post(`${base}/services/db/run`, { form: { rid: "task#0" }, maxRedirects: 0 });
    assert.equal(res.status(), 403);
    const wrong = await page.request.post(`${base}/services/db/run`, { form: { rid: "task#0", csrf: "x".repeat(43) }, maxRedirects: 0 });
    assert.equal(wrong.status(), 403);
    const cross = await page.request.post(`${base}/login`, { form: { key: keys.admin!.text }, headers: { origin: "http://evil.example" }, maxRedirects: 0 });
    assert.equal(cross.status(), 403, "a form posted from another site is refused, login included");
    assert.equal(records(root).length, before);
    await page.context().close();
  });

  test("a key's services apply to every page; revoking the key ends its session", async () => {
    const page = await newPage();
    await login(page, keys.dbonly!.text);
    assert.doesNotMatch(await page.textContent("main") ?? "", /web/, "a db-only key does not see web");
    const hidden = await page.goto(`${base}/services/web`);
    assert.equal(hidden!.status(), 404);
    await page.goto(`${base}/services/db`);
    assert.equal(await page.getByRole("button", { name: "Run now" }).count(), 0, "a read key gets no run button");
    const file = readKeyFile(root.path("var", "apikeys.json"));
    writeKeyFile(root.path("var", "apikeys.json"), { keys: file.keys.map((k) => (k.name === "dbonly" ? { ...k, revokedAt: Date.now() } : k)) });
    await page.goto(`${base}/services/db`);
    assert.equal(new URL(page.url()).pathname, "/login", "the revoked key's session is refused");
    await page.context().close();
  });

  test("suspend and resume from the service page; statistics with a chart", async () => {
    const page = await newPage();
    await login(page, keys.admin!.text);
    await page.goto(`${base}/services/db`);
    const row = page.locator('tr[data-rid="task#0"]');
    await row.getByRole("button", { name: "Suspend" }).click();
    await page.locator('tr[data-rid="task#0"]', { hasText: "suspended" }).waitFor();
    assert.match(await page.locator('tr[data-rid="task#0"]').textContent() ?? "", /suspended\s*by admin/);
    await page.locator('tr[data-rid="task#0"]').getByRole("button", { name: "Resume" }).click();
    await page.locator('tr[data-rid="task#0"]').getByRole("button", { name: "Suspend" }).waitFor();
    await page.getByRole("link", { name: "Stats" }).click();
    await page.getByRole("heading", { name: "Statistics" }).waitFor();
    const chart = page.locator('svg.chart[aria-label="Runs per day of db task#0, failures in red"]');
    await chart.waitFor();
    assert.ok((await chart.locator("rect.bar").count()) >= 30, "a bar per day");
    assert.match(await page.textContent("main") ?? "", /db task#0 \(days in UTC\)\s*\d+ runs?, 0 failed/);
    await screenshot(page, "stats");
    await page.context().close();
  });

  test("API keys (admin): create one, shown once; it logs in; revoked from the page, its session ends; a read key may not manage keys", async () => {
    const admin = await newPage();
    await login(admin, keys.admin!.text);
    await admin.getByRole("link", { name: "API keys" }).click();
    await admin.getByLabel("Name").fill("from-ui");
    await admin.getByLabel("Scope").selectOption("read");
    await admin.getByLabel(/Services/).fill("db");
    await admin.getByRole("button", { name: "Create" }).click();
    const text = (await admin.locator("#new-key").textContent())!.trim();
    assert.match(text, /^svcmgr_[0-9A-Za-z]{12}_[0-9A-Za-z]{43}$/);
    await screenshot(admin, "keys");
    await admin.reload();
    assert.equal(await admin.locator("#new-key").count(), 0, "shown once");
    assert.doesNotMatch(await admin.content(), new RegExp(text.split("_")[2]!), "the secret is nowhere on the page again");
    const user = await newPage();
    await login(user, text);
    assert.match(await user.textContent("main") ?? "", /db/);
    const refused = await user.goto(`${base}/keys`);
    assert.equal(refused!.status(), 403);
    await admin.locator('tr[data-key="from-ui"]').getByRole("button", { name: "Revoke" }).click();
    await admin.getByRole("status").filter({ hasText: "revoked" }).waitFor();
    await user.goto(`${base}/`);
    assert.equal(new URL(user.url()).pathname, "/login", "the revoked key's session ends");
    await admin.context().close();
    await user.context().close();
  });

  test("the services table refreshes by itself (htmx, every 10 s): a service added on the node shows without a reload", async () => {
    const page = await newPage();
    await login(page, keys.admin!.text);
    assert.doesNotMatch(await page.textContent("#services") ?? "", /later/);
    root.writeConf("later", "[task#0]\ncommand = /bin/true\n");
    await page.locator("#services", { hasText: "later" }).waitFor({ timeout: 25_000 });
    assert.equal(new URL(page.url()).pathname, "/", "no navigation happened");
    await page.context().close();
  });

  test("no request left loopback", () => {
    assert.deepEqual(offLoopback, []);
  });
});
