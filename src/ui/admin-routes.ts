import type { Context, Hono } from "hono";
import type { ApiBackend } from "../api/backend.js";
import { coversService, hasScope } from "../api/principal.js";
import { keyRequest, keyViews, storeNewKey, withRevoked } from "../api/key-admin.js";
import { dailyStats, statsSince } from "../api/daily-stats.js";
import { html, seg } from "./html.js";
import { keysPage } from "./pages/keys.js";
import { statsPage } from "./pages/stats.js";
import { show, type UiEnv } from "./view.js";

/** Per-day statistics (every key), API keys (admin keys only), suspend and resume (run keys). */
export function adminRoutes(ui: Hono<UiEnv>, backend: ApiBackend): void {
  ui.get("/stats", async (c) => {
    const p = c.get("session")!.principal;
    const svc = c.req.query("svc") || undefined;
    const days = [7, 30, 90].includes(Number(c.req.query("days"))) ? Number(c.req.query("days")) : 30;
    const now = backend.clock.now();
    const covered = svc === undefined || coversService(p, svc);
    const buckets = covered ? await backend.history.runBuckets({ ...(svc === undefined ? {} : { svc }), since: statsSince(now, days) }) : [];
    const zones = backend.taskZones();
    const tasks = zones.tasks.filter((t) => (svc === undefined || t.svc === svc) && coversService(p, t.svc));
    const stats = dailyStats(buckets.filter((b) => coversService(p, b.svc)), tasks, zones.timezone, now, days);
    const services = [...new Set(zones.tasks.map((t) => t.svc))].filter((s) => coversService(p, s)).sort();
    return show(c, "Statistics", "stats", statsPage(stats, days, svc, services));
  });

  const keysView = (c: Context<UiEnv>, extra: { created?: { name: string; text: string }; message?: { kind: "ok" | "error"; text: string } } = {}, status: 200 | 403 = 200) => {
    const s = c.get("session")!;
    const now = backend.clock.now();
    let keys;
    try {
      keys = keyViews(backend.apiKeys.list(), backend.apiKeys.lastUse(), now, true);
    } catch (e) {
      return show(c, "API keys", "keys", html`<h1>API keys</h1><p class="notice error" role="alert">${(e as Error).message}</p>`, 403);
    }
    return show(c, "API keys", "keys", keysPage({ keys, csrf: s.csrf, now, zone: backend.taskZones().timezone, ...extra }), status);
  };
  ui.use("/keys/*", async (c, next) => (c.get("session")!.principal.scope === "admin" ? next() : show(c, "Refused", "keys", html`<h1>Refused</h1><p>API keys are managed with an admin key.</p>`, 403)));
  ui.use("/keys", async (c, next) => (c.get("session")!.principal.scope === "admin" ? next() : show(c, "Refused", "keys", html`<h1>Refused</h1><p>API keys are managed with an admin key.</p>`, 403)));
  ui.get("/keys", (c) => keysView(c));
  ui.post("/keys", async (c) => {
    const s = c.get("session")!;
    const form = await c.req.parseBody();
    const field = (k: string) => (typeof form[k] === "string" && form[k] !== "" ? (form[k] as string) : undefined);
    try {
      const now = backend.clock.now();
      const req = keyRequest({ name: field("name") ?? "", scope: field("scope"), services: field("services"), expires: field("expires") }, now);
      const text = storeNewKey(backend.apiKeys, req, `${s.principal.name} (web UI)`, now);
      backend.log("info", `API key "${req.name}" created by ${s.principal.name} (web UI): scope ${req.scope}`, { event: "apikey-created", key: req.name, by: s.principal.name });
      return keysView(c, { created: { name: req.name, text } });
    } catch (e) {
      return keysView(c, { message: { kind: "error", text: (e as Error).message.replace(/--(\w+)/g, "$1") } });
    }
  });
  ui.post("/keys/revoke", async (c) => {
    const s = c.get("session")!;
    const form = await c.req.parseBody();
    const name = typeof form.name === "string" ? form.name : "";
    try {
      const now = backend.clock.now();
      backend.apiKeys.update((keys) => ({ keys: withRevoked(keys, name, now).keys, result: undefined }));
      backend.log("info", `API key "${name}" revoked by ${s.principal.name} (web UI)`, { event: "apikey-revoked", key: name, by: s.principal.name });
      return keysView(c, { message: { kind: "ok", text: `Key ${name} revoked: it is refused from its next request on.` } });
    } catch (e) {
      return keysView(c, { message: { kind: "error", text: (e as Error).message } });
    }
  });

  for (const action of ["suspend", "resume"] as const) {
    ui.post(`/services/:svc/tasks/:rid/${action}`, async (c) => {
      const s = c.get("session")!;
      const svc = c.req.param("svc");
      const rid = c.req.param("rid");
      if (!hasScope(s.principal, "run") || !coversService(s.principal, svc)) return show(c, "Refused", "services", html`<p class="notice error" role="alert">The key "${s.principal.name}" may not ${action} tasks of ${svc}.</p>`, 403);
      try {
        await backend.setSuspended(svc, rid, { suspend: action === "suspend", by: s.principal.name, reason: null, trigger: "api" });
      } catch (e) {
        return show(c, "Not done", "services", html`<p class="notice error" role="alert">${(e as Error).message}</p><p><a href="/services/${seg(svc)}">Back to ${svc}</a></p>`, 404);
      }
      return c.redirect(`/services/${seg(svc)}`, 303);
    });
  }
}
