/**
 * In a cluster, a request about a failover service owned by another node (`/api/v1/services/SVC`
 * and below) is proxied to its owner (design §14), with the caller's key: the owner checks it,
 * so the same keys file must be deployed on every node. The decision is cluster/route.ts's;
 * this module only moves the request and its answer.
 *
 * Invariants: the request was authenticated here first (a bad key is 401 here, never sent on);
 * a proxied request carries `Svcmgr-Proxied-By: NODE` and is never proxied again; an owner
 * that cannot be reached is a 502 naming it, nothing ran here.
 */
import type { Context, Next } from "hono";
import type { ApiEnv } from "./env.js";
import type { RouteDecision } from "../cluster/route.js";
import { ANSWERED_BY_HEADER, PROXIED_BY_HEADER } from "../cluster/route.js";
import { problemResponse } from "./problem.js";
import { presentedKey } from "./auth.js";

export interface ClusterRouting {
  /** This node's name (the value of Svcmgr-Proxied-By it sends). */
  readonly node: string;
  /** Where a request about `svc` is answered. */
  route(svc: string, request: { readonly proxiedBy: string | null; readonly hasKey: boolean; readonly forced: boolean }): Promise<RouteDecision>;
  /** Sends the request to another node's API and answers its response; rejects when it cannot be reached in `timeoutMs`. */
  forward(request: Request, timeoutMs: number): Promise<Response>;
}

const PREFIX = "/api/v1/services/";
/** A run-now may wait up to 10 min for its runs (`wait`): the proxied call may last that long. */
const RUN_TIMEOUT_MS = 11 * 60_000;
const TIMEOUT_MS = 30_000;
/** Headers not passed on (hop-by-hop, or set again by the sender). */
const DROPPED = ["host", "connection", "keep-alive", "transfer-encoding", "content-length", "upgrade", "te", "trailer", "proxy-connection"];

export function clusterProxy(routing: ClusterRouting) {
  return async (c: Context<ApiEnv>, next: Next): Promise<Response | void> => {
    const url = new URL(c.req.url);
    const svc = serviceOf(url.pathname);
    if (svc === null) return next();
    const headers = c.req.raw.headers;
    const isRun = c.req.method === "POST" && url.pathname === `${PREFIX}${encodeURIComponent(svc)}/runs`;
    const decision = await routing.route(svc, {
      proxiedBy: headers.get(PROXIED_BY_HEADER),
      hasKey: presentedKey(headers) !== null,
      forced: isRun && (await forcedRun(c.req.raw)),
    });
    if (decision.kind === "local") return next();
    if (decision.kind === "refuse") return problemResponse(decision.status, decision.detail, { owner: decision.owner });
    const sent = new Headers();
    headers.forEach((v, k) => {
      if (!DROPPED.includes(k)) sent.set(k, v);
    });
    sent.set(PROXIED_BY_HEADER, routing.node);
    const body = c.req.method === "GET" || c.req.method === "HEAD" ? undefined : await c.req.raw.arrayBuffer();
    const target = new Request(`${decision.url.replace(/\/+$/, "")}${url.pathname}${url.search}`, { method: c.req.method, headers: sent, body });
    let answer: Response;
    try {
      answer = await routing.forward(target, isRun ? RUN_TIMEOUT_MS : TIMEOUT_MS);
    } catch (e) {
      return problemResponse(502, `${svc} is owned by ${decision.owner}, whose API (${decision.url}) cannot be reached: ${whyNot(e)}; nothing was done`, { owner: decision.owner });
    }
    const out = new Headers(answer.headers);
    for (const h of ["content-encoding", "content-length", "transfer-encoding", "connection"]) out.delete(h);
    out.set(ANSWERED_BY_HEADER, decision.owner);
    return new Response(answer.body, { status: answer.status, headers: out });
  };
}

/** fetch's "fetch failed" says little: its cause (ECONNREFUSED, a TLS error) says why. */
function whyNot(e: unknown): string {
  const cause = (e as { cause?: { code?: unknown; message?: unknown } }).cause;
  const code = typeof cause?.code === "string" ? cause.code : null;
  const text = typeof cause?.message === "string" ? cause.message : (e as Error).message;
  return code !== null && !text.includes(code) ? `${code} ${text}` : text;
}

/** The service of `/api/v1/services/SVC[/…]`, decoded, or null. */
function serviceOf(path: string): string | null {
  if (!path.startsWith(PREFIX)) return null;
  const segment = path.slice(PREFIX.length).split("/")[0]!;
  if (segment === "") return null;
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** True when a run-now body says `"force": true` (read from a copy: the route reads the body again). */
async function forcedRun(request: Request): Promise<boolean> {
  try {
    return (JSON.parse(await request.clone().text()) as { force?: unknown }).force === true;
  } catch {
    return false;
  }
}
