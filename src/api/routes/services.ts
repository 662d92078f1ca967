import type { Hono } from "hono";
import type { ApiBackend } from "../backend.js";
import type { ApiEnv } from "../env.js";
import { requireAccess } from "../auth.js";
import { coversService } from "../principal.js";
import { notFound } from "../problem.js";

/** `GET /api/v1/services`, `…/services/{svc}`, `…/services/{svc}/tasks`: what the caller's key covers. */
export function serviceRoutes(api: Hono<ApiEnv>, backend: ApiBackend): void {
  api.get("/api/v1/services", async (c) => {
    const p = requireAccess(c, "read");
    const items = (await backend.services()).filter((s) => coversService(p, s.path));
    return c.json({ items, next: null });
  });
  api.get("/api/v1/services/:svc", async (c) => {
    const svc = c.req.param("svc");
    requireAccess(c, "read", svc);
    const status = await backend.serviceStatus(svc);
    if (status === null) throw notFound(`no service ${svc} on this node`);
    return c.json(status);
  });
  api.get("/api/v1/services/:svc/tasks", async (c) => {
    const svc = c.req.param("svc");
    requireAccess(c, "read", svc);
    const tasks = await backend.tasks(svc);
    if (tasks === null) throw notFound(`no service ${svc} on this node`);
    return c.json({ items: tasks, next: null });
  });
}
