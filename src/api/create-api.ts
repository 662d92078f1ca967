import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { ApiBackend } from "./backend.js";
import type { ApiEnv } from "./env.js";
import type { FetchHandler } from "../core/peer.js";
import { authenticate } from "./auth.js";
import { ApiProblem, problemResponse } from "./problem.js";
import { serviceRoutes } from "./routes/services.js";
import { runRoutes } from "./routes/runs.js";
import { runLogRoutes } from "./routes/run-log.js";
import { healthRoutes } from "./routes/health.js";
import { metricsRoutes } from "./routes/metrics.js";
import { statsRoutes } from "./routes/stats.js";
import { suspendRoutes } from "./routes/suspend.js";
import { clusterProxy } from "./cluster-proxy.js";

/**
 * The daemon's HTTP API (design §11) as a fetch handler: Request in, Response out, no socket
 * here (platform/http-server.ts serves it on the Unix socket and TCP). Order of checks on every
 * request: size → authentication → scope and service (in the route) → validation → action;
 * a request refused at any step has started nothing.
 */
export interface ApiOptions {
  /** Socket peers with these uids are admin without a key (root, the daemon's own uid). */
  readonly adminUids: ReadonlySet<number>;
  /** `[listener] metrics_public`: /metrics without a key. */
  readonly metricsPublic?: boolean;
}

export type Api = FetchHandler;

export const MAX_BODY_BYTES = 1024 * 1024;

/** A route module adds its routes to the app. */
export type RouteModule = (api: Hono<ApiEnv>, backend: ApiBackend, opts: ApiOptions) => void;

const ROUTES: readonly RouteModule[] = [healthRoutes, serviceRoutes, runRoutes, runLogRoutes, statsRoutes, metricsRoutes, suspendRoutes];

export function createApi(backend: ApiBackend, opts: ApiOptions, extra: readonly RouteModule[] = []): Api {
  const api = new Hono<ApiEnv>();
  api.onError((err, c) => onError(err, c, backend));
  api.notFound((c) => problemResponse(404, `no route ${c.req.method} ${new URL(c.req.url).pathname}`));
  const limitBody = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: () => problemResponse(413, `the body is over ${MAX_BODY_BYTES} bytes`) });
  // Only where a body is read: asking a GET for its body makes the server build a full Request.
  api.use("*", (c, next) => (c.req.method === "GET" || c.req.method === "HEAD" ? next() : limitBody(c, next)));
  api.use(
    "*",
    authenticate({
      keys: backend.keys,
      now: () => backend.clock.now(),
      adminUids: opts.adminUids,
      publicPaths: new Set(["/api/v1/health", "/api/openapi.json", ...(opts.metricsPublic === true ? ["/metrics"] : [])]),
      refused: (c, status, why, keyName) => logRefused(backend, c, status, why, keyName),
    }),
  );
  if (backend.cluster != null) api.use(`/api/v1/services/*`, clusterProxy(backend.cluster));
  for (const add of [...ROUTES, ...extra]) add(api, backend, opts);
  return { fetch: (request, peer) => Promise.resolve(api.fetch(request, { peer })) };
}

function onError(err: Error, c: Context<ApiEnv>, backend: ApiBackend): Response {
  if (err instanceof ApiProblem) {
    if (err.status === 403) logRefused(backend, c, 403, err.detail, c.get("principal")?.name ?? null);
    const headers: Record<string, string> = err.status === 401 ? { "www-authenticate": 'Bearer realm="svcmgr"' } : {};
    return problemResponse(err.status, err.detail, err.extra, headers);
  }
  backend.log("error", `API ${c.req.method} ${new URL(c.req.url).pathname} failed: ${err.message}`, { event: "api-error" });
  return problemResponse(500, "the daemon could not answer this request; its log says why");
}

/** `who`: the key's name when the presented key was identified (a wrong secret, revoked, expired, out of scope); else "no known key". */
function logRefused(backend: ApiBackend, c: Context<ApiEnv>, status: number, why: string, keyName: string | null): void {
  const who = keyName === null ? "no known key" : `key "${keyName}"`;
  const path = new URL(c.req.url).pathname;
  backend.log("warning", `API refused ${c.req.method} ${path} (${status}, ${who}): ${why}`, { event: "api-refused", status, key: keyName, method: c.req.method, path });
}
