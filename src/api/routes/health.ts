import type { Hono } from "hono";
import type { ApiBackend } from "../backend.js";
import type { ApiEnv } from "../env.js";

/** `GET /api/v1/health` (no key; 503 while stopping) and `GET /api/openapi.json` (no key). */
export function healthRoutes(api: Hono<ApiEnv>, backend: ApiBackend): void {
  api.get("/api/v1/health", (c) => {
    const h = backend.health();
    return c.json(h, h.status === "stopping" ? 503 : 200);
  });
  let doc: string | null = null;
  api.get("/api/openapi.json", async (c) => {
    // The document (and zod, which builds it) is loaded on its first request, not at daemon start.
    doc ??= JSON.stringify((await import("../openapi.js")).openApiDocument(), null, 2) + "\n";
    return c.body(doc, 200, { "content-type": "application/json" });
  });
}
