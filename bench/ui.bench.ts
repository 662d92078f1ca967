/**
 * The web UI, after `npm run build`:
 *   node --import tsx bench/ui.bench.ts [--services 100] [--tasks 10] [--records 1000000] [--calls 30]
 *
 * With 100 services × 10 tasks and 1,000,000 history records (written straight into the SQLite
 * file first; the fill time is printed): server-side time of the services page and of a history
 * page (median and p90 of `--calls` requests, a logged-in session, keep-alive), the weight of each
 * page with everything it loads (the HTML, the stylesheet, htmx and its SSE extension, the
 * page's script), and a live log: a task printing 10,000 lines per second for 5 s, followed
 * through the page's event stream, with the lag between a line being written and reaching the
 * client (target: no growing lag, the stream keeps up).
 */
import { request, Agent } from "node:http";
import { newKey } from "../src/api/keys.js";
import { writeKeyFile } from "../src/platform/api-key-file.js";
import { openHistory } from "../src/platform/sqlite/store.js";
import { makeRoot } from "../test/e2e/helpers.js";
import { Daemon } from "../test/e2e/daemon-harness.js";

const arg = (name: string, dflt: string): number => {
  const i = process.argv.indexOf(`--${name}`);
  return Number(i >= 0 ? process.argv[i + 1] : dflt);
};
const SERVICES = arg("services", "100");
const TASKS = arg("tasks", "10");
const RECORDS = arg("records", "1000000");
const CALLS = arg("calls", "30");
const fmt = (n: number, d = 1) => n.toFixed(d);
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(q * xs.length) - 1)]!;

interface Got { status: number; body: Buffer; headers: Record<string, string | string[] | undefined> }

function get(base: string, path: string, cookie: string, agent?: Agent, method = "GET", body?: string): Promise<Got> {
  const u = new URL(path, base);
  return new Promise((resolve, reject) => {
    const r = request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method, agent, headers: { cookie, ...(body === undefined ? {} : { "content-type": "application/x-www-form-urlencoded" }) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c)).on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks), headers: res.headers }));
    });
    r.on("error", reject);
    r.end(body);
  });
}

async function main(): Promise<void> {
  const root = makeRoot();
  try {
    for (let s = 0; s < SERVICES; s++) {
      root.writeConf(`svc${String(s).padStart(3, "0")}`, Array.from({ length: TASKS }, (_, t) => `[task#${t}]\ncommand = /bin/true\nschedule = ${t} ${s % 24} * * *\n`).join("\n"));
    }
    root.writeConf("live", "[task#0]\ncommand = /usr/bin/env node -e 'let n=0;const end=Date.now()+5000;const tick=()=>{const now=Date.now();let s=\"\";for(let i=0;i<100;i++)s+=now+\" line \"+(n++)+\"\\n\";process.stdout.write(s);if(now<end)setTimeout(tick,10)};tick()'\n");
    root.path("var");
    let t0 = performance.now();
    const h = openHistory(root.path("var", "history.sqlite"));
    const start = Date.now() - RECORDS * 60_000;
    const BATCH = 10_000;
    for (let i = 0; i < RECORDS; i += BATCH) {
      h.transaction(() => {
        for (let j = i; j < Math.min(RECORDS, i + BATCH); j++) {
          const at = start + j * 60_000;
          h.record({ svc: `svc${String(j % SERVICES).padStart(3, "0")}`, rid: `task#${j % TASKS}`, trigger: "schedule", scheduledFor: at, startedAt: at, endedAt: at + 1500, status: j % 17 === 0 ? "failed" : "succeeded", exitCode: j % 17 === 0 ? 1 : 0 });
        }
      });
    }
    h.close();
    console.log(`UI benchmark: ${SERVICES} services × ${TASKS} tasks, ${RECORDS} history records (filled in ${fmt((performance.now() - t0) / 1000)} s)\n`);
    const k = newKey();
    writeKeyFile(root.path("var", "apikeys.json"), { keys: [{ id: k.id, name: "bench", hash: k.hash, scope: "admin", services: [], createdAt: Date.now(), expiresAt: null, revokedAt: null, createdBy: "bench" }] });
    const d = Daemon.start(root, ["--listen", "127.0.0.1:0"]);
    try {
      const e = await d.waitEvent("api listening", (ev) => ev.event === "api-listening", 60_000);
      const base = (e.addresses as string[]).find((a) => a.startsWith("http://"))!;
      const login = await get(base, "/login", "", undefined, "POST", `key=${encodeURIComponent(k.text)}`);
      const cookie = String(login.headers["set-cookie"]).split(";")[0]!;
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const assets = await Promise.all(["/ui/app.css", "/ui/app.js", "/ui/htmx.min.js", "/ui/sse.js"].map((p) => get(base, p, cookie, agent)));
      const assetBytes = assets.reduce((n, a) => n + a.body.length, 0);
      for (const [label, path] of [["services page", "/"], ["history page (50 newest of all)", "/history"], ["history page, one service, failed", "/history?svc=svc042&status=failed"], ["a service's page", "/services/svc042"]] as const) {
        await get(base, path, cookie, agent); // warm
        const times: number[] = [];
        let size = 0;
        for (let i = 0; i < CALLS; i++) {
          t0 = performance.now();
          const r = await get(base, path, cookie, agent);
          times.push(performance.now() - t0);
          if (r.status !== 200) throw new Error(`${path}: HTTP ${r.status}`);
          size = r.body.length;
        }
        console.log(`${label.padEnd(36)} median ${fmt(quantile(times, 0.5))} ms, p90 ${fmt(quantile(times, 0.9))} ms (target median ≤ 50 ms); weight ${fmt((size + assetBytes) / 1024)} KB with its assets (${fmt(size / 1024)} KB HTML + ${fmt(assetBytes / 1024)} KB css/js; target ≤ 100 KB)`);
      }
      agent.destroy();
      await liveLog(base, cookie);
      await liveInBrowser(base, k.text, root.path("var", "history.sqlite"));
    } finally {
      await d.stop().catch(() => d.stop("SIGKILL"));
    }
  } finally {
    root.cleanup();
  }
}

/** Starts the live task, follows its page's event stream, measures the lag of each line. */
async function liveLog(base: string, cookie: string): Promise<void> {
  const page = await get(base, "/services/live", cookie);
  const csrf = /name="csrf" value="([^"]+)"/.exec(page.body.toString())![1]!;
  const run = await get(base, "/services/live/run", cookie, undefined, "POST", `csrf=${encodeURIComponent(csrf)}&rid=task%230`);
  const id = /\/runs\/(\d+)/.exec(String(run.headers.location))![1];
  const lags: { at: number; lag: number }[] = [];
  let lines = 0;
  let buffered = "";
  const t0 = Date.now();
  await new Promise<void>((resolve, reject) => {
    const u = new URL(`/runs/${id}/live`, base);
    const r = request({ host: u.hostname, port: u.port, path: u.pathname, headers: { cookie, accept: "text/event-stream" } }, (res) => {
      res.setEncoding("utf8").on("data", (chunk: string) => {
        const now = Date.now();
        buffered += chunk;
        const events = buffered.split("\n\n");
        buffered = events.pop()!;
        for (const ev of events) {
          for (const line of ev.split("\n")) {
            const m = /^data: (\d{13}) line /.exec(line);
            if (m === null) continue;
            lines++;
            lags.push({ at: now - t0, lag: now - Number(m[1]) });
          }
        }
      });
      res.on("end", () => resolve());
    });
    r.on("error", reject);
    r.end();
  });
  const firstHalf = lags.filter((l) => l.at < 2500).map((l) => l.lag);
  const secondHalf = lags.filter((l) => l.at >= 2500).map((l) => l.lag);
  console.log(`\nlive log: ${lines} lines in ${fmt((Date.now() - t0) / 1000)} s through the page's event stream (the task printed 10,000 lines/s for 5 s)`);
  console.log(`  lag write → client: median ${fmt(quantile(lags.map((l) => l.lag), 0.5), 0)} ms, p99 ${fmt(quantile(lags.map((l) => l.lag), 0.99), 0)} ms, max ${Math.max(...lags.map((l) => l.lag))} ms; first 2.5 s median ${fmt(quantile(firstHalf, 0.5), 0)} ms, after ${secondHalf.length === 0 ? "n/a" : fmt(quantile(secondHalf, 0.5), 0)} ms (a growing lag would mean falling behind)`);
}

/** The same live task followed by Chromium on the run's page: how long after the task ended the page shows its last line and final status. */
async function liveInBrowser(base: string, key: string, historyFile: string): Promise<void> {
  const { existsSync } = await import("node:fs");
  if (!existsSync("/usr/bin/chromium")) return console.log("\nlive log in the browser: skipped (no /usr/bin/chromium)");
  const { launch } = await import("../test/ui/browser.js");
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.goto(`${base}/login`);
    await page.getByLabel("API key").fill(key);
    await page.getByRole("button", { name: "Log in" }).click();
    await page.waitForURL(`${base}/`);
    await page.goto(`${base}/services/live`);
    await page.getByRole("button", { name: "Run now" }).click();
    await page.waitForURL(/\/runs\/\d+$/);
    const id = Number(/\/runs\/(\d+)$/.exec(page.url())![1]);
    await page.locator("#run-status", { hasText: "succeeded" }).waitFor({ timeout: 120_000 });
    const shownAt = Date.now();
    const lines = await page.evaluate(() => (document.getElementById("log")!.textContent ?? "").split("\n").filter((l) => l !== "").length);
    const h = openHistory(historyFile);
    const rec = h.get(id)!;
    h.close();
    const written = rec.outputBytes;
    console.log(`\nlive log in Chromium: ${lines} lines on the page (the task wrote ${written} bytes); final status shown ${shownAt - rec.endedAt!} ms after the task ended (target: the browser does not fall behind)`);
  } finally {
    await browser.close();
  }
}

await main();
