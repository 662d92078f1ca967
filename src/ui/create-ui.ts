import { Hono, type Context } from "hono";
import { getCookie, setCookie, deleteCookie } from "hono/cookie";
import type { ApiBackend } from "../api/backend.js";
import type { FetchHandler } from "../core/peer.js";
import { coversService, hasScope } from "../api/principal.js";
import type { StatusReport } from "../service/status-report.js";
import { html, seg, type Html } from "./html.js";
import { page } from "./layout.js";
import { show, type UiEnv } from "./view.js";
import { SessionStore, SESSION_COOKIE, csrfMatches } from "./sessions.js";
import { STYLE, SCRIPT } from "./assets.js";
import { loginPage } from "./pages/login.js";
import { servicesPage } from "./pages/services.js";
import { servicePage } from "./pages/service.js";
import { historyRoute } from "./history-route.js";
import { runRoutes } from "./run-routes.js";
import { adminRoutes } from "./admin-routes.js";

/**
 * The web UI (design §12): server-rendered pages over the same backend as the API, sessions
 * from an API key (login), a CSRF token in every state-changing form, and headers that forbid
 * framing and inline scripts. Every page and action applies the key's scope and services.
 */
export interface UiOptions {
  /** The vendored htmx, read by the platform. */
  readonly vendor: Readonly<Record<"htmx.min.js", string>>;
  /** Set the `Secure` attribute on the cookie (the listener speaks TLS). */
  readonly secureCookie: boolean;
}


export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

export function createUi(backend: ApiBackend, opts: UiOptions): FetchHandler & { readonly sessions: SessionStore } {
  const sessions = new SessionStore(backend.keys, () => backend.clock.now());
  const ui = new Hono<UiEnv>();
  ui.use("*", async (c, next) => {
    c.set("session", sessions.get(getCookie(c, SESSION_COOKIE)));
    await next();
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) if (!c.res.headers.has(k) || k !== "cache-control") c.res.headers.set(k, v);
  });
  // State-changing requests come from this origin (a browser says so in Origin) and carry the
  // session's CSRF token (a stolen cookie alone cannot act).
  ui.use("*", async (c, next) => {
    if (c.req.method !== "POST") return next();
    const origin = c.req.header("origin");
    if (origin !== undefined && origin !== "null" && new URL(origin).host !== new URL(c.req.url).host) {
      backend.log("warning", `UI refused POST ${new URL(c.req.url).pathname} from another origin (${origin})`, { event: "ui-refused" });
      return c.text("refused: a form of another site", 403);
    }
    if (new URL(c.req.url).pathname === "/login") return next();
    const s = c.get("session");
    const form = await c.req.parseBody();
    if (s === null) return c.redirect("/login", 303);
    if (!csrfMatches(s, typeof form.csrf === "string" ? form.csrf : undefined)) {
      backend.log("warning", `UI refused POST ${new URL(c.req.url).pathname} (key "${s.principal.name}"): missing or wrong CSRF token`, { event: "ui-refused", key: s.principal.name });
      return c.html(page("Refused", "services", s, html`<h1>Refused</h1><p class="notice error" role="alert">This form is stale or did not come from this page (CSRF check). Reload the page and try again.</p>`).text, 403);
    }
    return next();
  });
  assets(ui, opts);
  ui.get("/login", (c) => c.html(page("Log in", "login", null, loginPage(null)).text));
  ui.post("/login", async (c) => {
    const form = await c.req.parseBody();
    const r = sessions.login(typeof form.key === "string" ? form.key : "");
    if (!r.ok) {
      backend.log("warning", `UI login refused: ${r.why}`, { event: "ui-login-refused" });
      return c.html(page("Log in", "login", null, loginPage(r.why)).text, 401);
    }
    setCookie(c, SESSION_COOKIE, r.session.id, { httpOnly: true, sameSite: "Strict", path: "/", secure: opts.secureCookie });
    return c.redirect("/", 303);
  });
  ui.post("/logout", (c) => {
    sessions.logout(getCookie(c, SESSION_COOKIE));
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.redirect("/login", 303);
  });
  // Every other page needs a live session: without one, nothing of the services is shown.
  ui.use("*", async (c, next) => (c.get("session") === null ? c.redirect("/login", 303) : next()));
  ui.get("/", async (c) => {
    const s = c.get("session")!;
    const list = (await backend.services()).filter((x) => coversService(s.principal, x.path));
    return show(c, "Services", "services", servicesPage(list));
  });
  ui.get("/services/:svc", async (c) => {
    const s = c.get("session")!;
    const svc = c.req.param("svc");
    if (!coversService(s.principal, svc)) return show(c, "Not found", "services", notFound(svc), 404);
    return serviceView(c, backend, svc, undefined);
  });
  ui.post("/services/:svc/run", async (c) => {
    const s = c.get("session")!;
    const svc = c.req.param("svc");
    const form = await c.req.parseBody();
    const rid = typeof form.rid === "string" ? form.rid : "";
    if (!hasScope(s.principal, "run") || !coversService(s.principal, svc)) return show(c, "Refused", "services", html`<p class="notice error" role="alert">The key "${s.principal.name}" may not run tasks of ${svc}.</p>`, 403);
    try {
      const runs = await backend.startRuns(svc, { rid, confirm: typeof form.confirm === "string" && form.confirm !== "" ? [form.confirm.trim()] : [] }, s.principal);
      await runs.started;
      const first = runs.ids()[0];
      return c.redirect(first === undefined ? `/services/${seg(svc)}` : `/runs/${first}`, 303);
    } catch (e) {
      return serviceView(c, backend, svc, { kind: "error", text: (e as Error).message });
    }
  });
  historyRoute(ui, backend);
  adminRoutes(ui, backend);
  runRoutes(ui, backend);
  return { sessions, fetch: (request, peer) => Promise.resolve(ui.fetch(request, { peer })) };
}

async function serviceView(c: Context<UiEnv>, backend: ApiBackend, svc: string, message: { kind: "ok" | "error"; text: string } | undefined): Promise<Response> {
  const s = c.get("session")!;
  const status = (await backend.serviceStatus(svc)) as StatusReport | null;
  const tasks = await backend.tasks(svc);
  if (status === null || tasks === null) return show(c, "Not found", "services", notFound(svc), 404);
  const body = servicePage({ svc, status, tasks, csrf: s.csrf, canRun: hasScope(s.principal, "run"), now: backend.clock.now(), ...(message === undefined ? {} : { message }) });
  return show(c, svc, "services", body);
}

function notFound(svc: string): Html {
  return html`<h1>Not found</h1><p>No service ${svc} that this key covers.</p>`;
}

function assets(ui: Hono<UiEnv>, opts: UiOptions): void {
  const files: Record<string, [string, string]> = {
    "/ui/app.css": [STYLE, "text/css; charset=utf-8"],
    "/ui/app.js": [SCRIPT, "text/javascript; charset=utf-8"],
    "/ui/htmx.min.js": [opts.vendor["htmx.min.js"], "text/javascript; charset=utf-8"],
  };
  for (const [path, [body, type]] of Object.entries(files)) {
    ui.get(path, (c) => c.body(body, 200, { "content-type": type, "cache-control": "public, max-age=86400" }));
  }
  ui.get("/favicon.ico", (c) => c.body(null, 204));
}
