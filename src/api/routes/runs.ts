import type { Context, Hono } from "hono";
import type { RunRecord } from "../../core/run-record.js";
import { isRunStatus, RUN_TRIGGERS, type RunStatus, type RunTrigger } from "../../core/run-record.js";
import type { ApiBackend, StartedRuns } from "../backend.js";
import type { ApiEnv } from "../env.js";
import { requireAccess } from "../auth.js";
import { coversService, type Principal } from "../principal.js";
import { ApiProblem, notFound } from "../problem.js";
import { durationParam, intParam, MAX_WAIT_MS, readJson, timeParam } from "../request.js";
import { coveredPage, decodeCursor, encodeCursor } from "../paging.js";
import { IdempotencyCache } from "../idempotency.js";
import { AnswerCache } from "../answer-cache.js";
import { execRoute } from "./exec.js";

const MAX_LIMIT = 1000;

/** Runs: start (with wait and Idempotency-Key), one-offs (exec.ts), list with cursor paging, read one. */
export function runRoutes(api: Hono<ApiEnv>, backend: ApiBackend): void {
  const idempotent = new IdempotencyCache<StartedRuns>(() => backend.clock.now());
  const requests = new RecentRequests(() => backend.clock.now());

  api.post("/api/v1/services/:svc/runs", async (c) => {
    const svc = c.req.param("svc");
    const p = requireAccess(c, "run", svc);
    const body = await readJson(c, (await import("./bodies.js")).RunRequestBody); // zod is loaded by the first run request, not at daemon start
    const waitMs = body.wait === undefined ? 0 : durationParam(body.wait, "wait", MAX_WAIT_MS);
    const confirm = body.confirm === undefined ? [] : typeof body.confirm === "string" ? [body.confirm] : body.confirm;
    const start = () => backend.startRuns(svc, { rid: body.rid, tags: body.tags, subsets: body.subsets, env: body.env, confirm, force: body.force }, p);
    const key = c.req.header("idempotency-key");
    let runs: StartedRuns;
    let replayed = false;
    if (key === undefined) runs = await start();
    else {
      if (!/^[\x21-\x7e]{1,255}$/.test(key)) throw new ApiProblem(400, "Idempotency-Key: 1 to 255 visible ASCII characters", { field: "Idempotency-Key" });
      const fingerprint = JSON.stringify([svc, body.rid, body.tags, body.subsets, body.env, confirm, body.force]);
      const use = idempotent.use(p.name, key, fingerprint, start);
      if (use.kind === "mismatch") throw new ApiProblem(422, `Idempotency-Key "${key}" was used for a different request; use a new key for a new request`, { field: "Idempotency-Key" });
      runs = await use.value;
      replayed = use.kind === "replayed";
    }
    if (replayed) c.header("idempotent-replayed", "true");
    return answer(c, runs, waitMs);
  });

  /** The runs of a request once the first began (with `waitMs`, once all ended, or 202 then); followed by `GET /api/v1/requests/{session}`. */
  const answer = async (c: Context<ApiEnv>, runs: StartedRuns, waitMs: number): Promise<Response> => {
    requests.add(runs);
    await runs.started;
    const ended = waitMs === 0 ? runs.isDone() : await settledWithin(runs.done, waitMs);
    const records = await recordsOf(backend, runs.ids());
    return c.json({ runs: records, request: requestView(runs, ended) }, ended ? 200 : 202);
  };
  execRoute(api, backend, answer);

  api.get("/api/v1/requests/:session", async (c) => {
    requireAccess(c, "read");
    const runs = requests.get(c.req.param("session"));
    if (runs === undefined) throw notFound(`no run request ${c.req.param("session")} (requests are kept 24 h, in the daemon's memory)`);
    requireAccess(c, "read", runs.svc);
    const done = runs.isDone();
    return c.json({ runs: await recordsOf(backend, runs.ids()), request: requestView(runs, done) });
  });

  const lists = new AnswerCache(() => backend.clock.now());
  api.get("/api/v1/runs", async (c) => {
    const p = requireAccess(c, "read");
    const key = `${p.scope === "admin" ? "*" : p.services.join("\u0000")}\u0001${new URL(c.req.url).search}`;
    const text = await lists.answer(key, () => backend.history.changeToken(), async () => JSON.stringify(await listRuns(c, backend, p)));
    return c.body(text, 200, { "content-type": "application/json" });
  });

  api.post("/api/v1/runs/:id/stop", async (c) => {
    const rec = await readableRun(c, backend);
    const p = requireAccess(c, "run", rec.svc);
    if (rec.status !== "running") throw new ApiProblem(409, `run ${rec.id} is not running (${rec.status})`);
    if (!backend.stopRun(rec.id, p)) throw new ApiProblem(409, `run ${rec.id} is not run by this daemon (its svcmgr is pid ${rec.ownerPid ?? "?"}): stop it where it runs`);
    backend.log("info", `run ${rec.id} (${rec.svc} ${rec.rid}) stopped by ${p.name}`, { event: "run-stop", runId: rec.id, svc: rec.svc, rid: rec.rid, by: p.name });
    return c.json({ stopping: true, run: rec }, 202);
  });

  api.get("/api/v1/runs/:id", async (c) => {
    const rec = await readableRun(c, backend);
    return c.json(rec);
  });
}

/** The run `{id}` of the path, if the caller may read it (404 / 403 otherwise). */
export async function readableRun(c: Context<ApiEnv>, backend: ApiBackend): Promise<RunRecord> {
  requireAccess(c, "read");
  const text = c.req.param("id") ?? "";
  if (!/^\d{1,15}$/.test(text)) throw new ApiProblem(400, `run id: expected a number, got "${text}"`, { field: "id" });
  const rec = await backend.history.get(Number(text));
  if (rec === null) throw notFound(`no run ${text} in the history`);
  requireAccess(c, "read", rec.svc);
  return rec;
}

async function listRuns(c: Context<ApiEnv>, backend: ApiBackend, p: Principal): Promise<{ items: RunRecord[]; next: string | null }> {
  const limit = intParam(c, "limit", 50, 1, MAX_LIMIT);
  const status = statusesParam(c.req.query("status"));
  const trigger = triggerParam(c.req.query("trigger"));
  const svc = c.req.query("svc");
  if (svc !== undefined) requireAccess(c, "read", svc);
  const base = {
    ...(svc === undefined ? {} : { svc }),
    ...(c.req.query("rid") === undefined ? {} : { rid: c.req.query("rid")! }),
    ...(status === undefined ? {} : { status }),
    ...(trigger === undefined ? {} : { trigger }),
    ...optional("since", timeParam(c, "since")),
    ...optional("until", timeParam(c, "until")),
  };
  const page = await coveredPage(backend.history, base, decodeCursor(c.req.query("cursor")), limit, (svc) => coversService(p, svc));
  return { items: page.items, next: page.next === null ? null : encodeCursor(page.next) };
}

function optional<K extends string, V>(key: K, v: V | undefined): Partial<Record<K, V>> {
  return v === undefined ? {} : ({ [key]: v } as Record<K, V>);
}

function statusesParam(text: string | undefined): RunStatus[] | undefined {
  if (text === undefined || text === "") return undefined;
  const list = text.split(",");
  const bad = list.filter((s) => !isRunStatus(s));
  if (bad.length > 0) throw new ApiProblem(400, `status: unknown ${bad.map((b) => `"${b}"`).join(", ")}`, { field: "status" });
  return list as RunStatus[];
}

function triggerParam(text: string | undefined): RunTrigger | undefined {
  if (text === undefined || text === "") return undefined;
  if (!(RUN_TRIGGERS as readonly string[]).includes(text)) throw new ApiProblem(400, `trigger: expected one of ${RUN_TRIGGERS.join(", ")}, got "${text}"`, { field: "trigger" });
  return text as RunTrigger;
}

function requestView(runs: StartedRuns, done: boolean): { session: string; svc: string; selected: readonly string[]; done: boolean } {
  return { session: runs.session, svc: runs.svc, selected: runs.selected, done };
}

/** The run requests of the last 24 h, by session, for `GET /api/v1/requests/{session}` (bounded). */
class RecentRequests {
  private readonly bySession = new Map<string, { runs: StartedRuns; at: number }>();
  constructor(private readonly now: () => number, private readonly max = 10_000) {}

  add(runs: StartedRuns): void {
    const now = this.now();
    for (const [k, v] of this.bySession) {
      if (v.at > now - 24 * 3600_000 && this.bySession.size < this.max) break;
      this.bySession.delete(k);
    }
    if (!this.bySession.has(runs.session)) this.bySession.set(runs.session, { runs, at: now });
  }

  get(session: string): StartedRuns | undefined {
    return this.bySession.get(session)?.runs;
  }
}

async function recordsOf(backend: ApiBackend, ids: readonly number[]): Promise<RunRecord[]> {
  const recs = await Promise.all(ids.map((id) => backend.history.get(id)));
  return recs.filter((r): r is RunRecord => r !== null);
}

function settledWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void p.finally(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
