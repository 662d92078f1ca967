import type { Hono } from "hono";
import { badSuspendReason, suspensionView } from "../../core/suspension.js";
import type { ApiBackend, SuspensionAnswer } from "../backend.js";
import type { ApiEnv } from "../env.js";
import { requireAccess } from "../auth.js";
import type { Principal } from "../principal.js";
import { ApiProblem, badRequest } from "../problem.js";
import { readJson } from "../request.js";

/** A user name as the CLI reports it (SUDO_USER or the current user, or a uid). */
const USER_NAME = /^[A-Za-z0-9_.][A-Za-z0-9_.@$-]{0,63}$/;

/**
 * `POST /api/v1/services/{svc}/tasks/{rid}/suspend` and `…/resume` (scope `run`): pause or
 * resume a task's schedule. Recorded as the key's name (or, from root on the socket, the
 * `by` the CLI sends); idempotent.
 */
export function suspendRoutes(api: Hono<ApiEnv>, backend: ApiBackend): void {
  for (const action of ["suspend", "resume"] as const) {
    api.post(`/api/v1/services/:svc/tasks/:rid/${action}`, async (c) => {
      const svc = c.req.param("svc");
      const p = requireAccess(c, "run", svc);
      const body = await readJson(c, (await import("./bodies.js")).SuspendBody);
      const why = body.reason === undefined ? null : badSuspendReason(body.reason);
      if (why !== null) throw badRequest(`reason: ${why}`, "reason");
      const change = { suspend: action === "suspend", by: askedBy(p, body.by), reason: body.reason ?? null, trigger: "api" as const };
      return c.json(answerView(await backend.setSuspended(svc, c.req.param("rid"), change)));
    });
  }
}

function askedBy(p: Principal, by: string | undefined): string {
  if (by === undefined) return p.name;
  if (p.via !== "socket") throw new ApiProblem(403, `by: only root on the daemon's socket may say on whose behalf it asks; the key "${p.name}" is recorded itself`, { field: "by" });
  if (!USER_NAME.test(by)) throw badRequest(`by: "${by}" is not a user name`, "by");
  return by;
}

function answerView(a: SuspensionAnswer): object {
  return { svc: a.svc, rid: a.rid, changed: a.changed, suspended: suspensionView(a.suspended) };
}
