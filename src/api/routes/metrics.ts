import type { Hono } from "hono";
import type { ApiBackend } from "../backend.js";
import type { ApiEnv } from "../env.js";
import { principalOf, requireAccess } from "../auth.js";
import { coversService } from "../principal.js";
import { CONTENT_TYPE } from "../metrics/exposition.js";

/**
 * `GET /metrics`: Prometheus text exposition. Needs a key with read scope (and shows only the
 * services it covers), except with `[listener] metrics_public = true`, where a request without
 * a key sees every service.
 */
export function metricsRoutes(api: Hono<ApiEnv>, backend: ApiBackend, opts: { readonly metricsPublic?: boolean }): void {
  api.get("/metrics", (c) => {
    const p = principalOf(c);
    if (p !== null || opts.metricsPublic !== true) requireAccess(c, "read");
    const text = backend.metrics(p === null ? () => true : (svc) => coversService(p, svc));
    return c.body(text, 200, { "content-type": CONTENT_TYPE });
  });
}
