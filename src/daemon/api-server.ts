import type { Hono } from "hono";
import { createApi, type RouteModule } from "../api/create-api.js";
import type { ApiBackend } from "../api/backend.js";
import type { ApiEnv } from "../api/env.js";
import { requireAccess } from "../api/auth.js";
import type { DaemonPlatform } from "./ports.js";
import type { FetchHandler } from "../core/peer.js";
import { createUi } from "../ui/create-ui.js";

/**
 * Puts the API on the daemon's listeners: the routes of api/ plus the daemon's own
 * (`GET /api/v1/daemon`, its live status, read by `svcmgr daemon status`).
 * A failure to serve is logged, not fatal: the daemon goes on running tasks.
 */
export async function serveApi(platform: DaemonPlatform, backend: ApiBackend, daemonStatus: () => Record<string, unknown>, extra: readonly RouteModule[] = []): Promise<{ readonly addresses: readonly string[]; close(): Promise<void> } | null> {
  const statusRoute: RouteModule = (api: Hono<ApiEnv>) => {
    api.get("/api/v1/daemon", (c) => {
      requireAccess(c, "read");
      return c.json(daemonStatus());
    });
  };
  const api = createApi(backend, { adminUids: platform.adminUids, metricsPublic: platform.metricsPublic }, [statusRoute, ...extra]);
  const ui = platform.ui === null ? null : createUi(backend, platform.ui);
  // The API under /api/ (and /metrics); the web UI everywhere else.
  const handler: FetchHandler = {
    fetch: (request, peer) => {
      const path = new URL(request.url).pathname;
      return ui === null || path.startsWith("/api/") || path === "/metrics" ? api.fetch(request, peer) : ui.fetch(request, peer);
    },
  };
  try {
    const server = await platform.serve(handler);
    platform.log.write("info", `API listening on ${server.addresses.join(", ")}`, { event: "api-listening", addresses: server.addresses });
    return server;
  } catch (e) {
    platform.log.write("error", `cannot serve the API (${(e as Error).message}): daemon status and the API will not answer`, { event: "socket-failed" });
    return null;
  }
}
