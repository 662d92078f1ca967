import type { Context, Hono } from "hono";
import type { ApiBackend, StartedRuns } from "../backend.js";
import type { ApiEnv } from "../env.js";
import { requireAccess } from "../auth.js";
import { durationParam, MAX_WAIT_MS, readJson } from "../request.js";

/**
 * `POST /api/v1/services/{svc}/exec`: a one-off command in the service's task context
 * (run/oneoff.ts), trigger `oneoff`. Scope run on the service; another `user` than the
 * context's needs admin (daemon/api-exec.ts). Answered as a run request: `202 {runs, request}`
 * at once, or with `wait` `200` once it ended.
 */
export function execRoute(api: Hono<ApiEnv>, backend: ApiBackend, answer: (c: Context<ApiEnv>, runs: StartedRuns, waitMs: number) => Promise<Response>): void {
  api.post("/api/v1/services/:svc/exec", async (c) => {
    const svc = c.req.param("svc");
    const p = requireAccess(c, "run", svc);
    const body = await readJson(c, (await import("./bodies.js")).ExecRequestBody);
    const waitMs = body.wait === undefined ? 0 : durationParam(body.wait, "wait", MAX_WAIT_MS);
    const runs = await backend.startExec(svc, { argv: body.command, user: body.user, task: body.task, memory: body.memory, cpus: body.cpus, maxTime: body.maxTime, force: body.force }, p);
    return answer(c, runs, waitMs);
  });
}
