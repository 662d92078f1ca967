import type { Context, MiddlewareHandler } from "hono";
import { checkKey, type KeyStore } from "./keys.js";
import { ApiProblem } from "./problem.js";
import { coversService, hasScope, type Principal, type Scope } from "./principal.js";
import type { ApiEnv, Peer } from "./env.js";

/**
 * Authentication (design §11): a key in `Authorization: Bearer KEY` or `X-API-Key: KEY`,
 * never in the query string; without a key, only a peer on the Unix socket whose uid is an
 * admin uid (root, the daemon's own) is let in, as admin. Fails closed: anything else is 401.
 */
export interface AuthOptions {
  readonly keys: KeyStore;
  readonly now: () => number;
  /** Socket peers with these uids act as admin without a key. */
  readonly adminUids: ReadonlySet<number>;
  /** Paths anyone may GET without a key. */
  readonly publicPaths: ReadonlySet<string>;
  readonly refused: (c: Context<ApiEnv>, status: number, why: string, keyName: string | null) => void;
}

const QUERY_KEY_NAMES = ["key", "api_key", "apikey", "token", "access_token"];

/** A parameter named like a key, or anything shaped like one under any name. */
function keyInQuery(params: URLSearchParams): boolean {
  if (QUERY_KEY_NAMES.some((n) => params.has(n))) return true;
  for (const [name, value] of params) if (KEY_PREFIX.test(name) || KEY_PREFIX.test(value)) return true;
  return false;
}

const KEY_PREFIX = /svcmgr_[0-9A-Za-z]{12}_/;

export function presentedKey(headers: Headers): string | null {
  const auth = headers.get("authorization");
  if (auth !== null) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m === null ? "" : m[1]!;
  }
  return headers.get("x-api-key");
}

export function authenticate(opts: AuthOptions): MiddlewareHandler<ApiEnv> {
  return async (c, next) => {
    const url = new URL(c.req.url);
    if (keyInQuery(url.searchParams)) {
      opts.refused(c, 400, "a key in the query string", null);
      throw new ApiProblem(400, "API keys are never accepted in a query string (it ends up in logs and histories): send it as 'Authorization: Bearer KEY'");
    }
    const text = presentedKey(c.req.raw.headers);
    if (text === null) {
      if (c.req.method === "GET" && opts.publicPaths.has(url.pathname)) return next();
      const root = rootPrincipal(c.env.peer, opts.adminUids);
      if (root === null) {
        opts.refused(c, 401, "no key", null);
        throw new ApiProblem(401, "an API key is required: 'Authorization: Bearer KEY' (create one with: svcmgr apikey create NAME --scope read)");
      }
      c.set("principal", root);
      return next();
    }
    const check = checkKey(text, opts.keys, opts.now());
    if (!check.ok) {
      opts.refused(c, 401, `${check.why} key`, check.key?.name ?? null);
      throw new ApiProblem(401, check.why === "revoked" || check.why === "expired" ? `this API key was ${check.why === "revoked" ? "revoked" : "valid until its expiry, now past"}` : "invalid API key");
    }
    opts.keys.used(check.key.id, opts.now());
    c.set("principal", { name: check.key.name, scope: check.key.scope, services: check.key.services, via: "key" });
    return next();
  };
}

function rootPrincipal(peer: Peer, adminUids: ReadonlySet<number>): Principal | null {
  if (peer.transport !== "unix" || peer.uid === null || !adminUids.has(peer.uid)) return null;
  return { name: peer.uid === 0 ? "root" : `uid ${peer.uid}`, scope: "admin", services: [], via: "socket" };
}

/** The request's principal; for a public route without a key, null. */
export function principalOf(c: Context<ApiEnv>): Principal | null {
  return c.get("principal") ?? null;
}

/** Throws 401/403 unless the caller holds `scope` (and, with `svc`, covers that service). */
export function requireAccess(c: Context<ApiEnv>, scope: Scope, svc?: string): Principal {
  const p = principalOf(c);
  if (p === null) throw new ApiProblem(401, "an API key is required");
  if (!hasScope(p, scope)) throw new ApiProblem(403, `the key "${p.name}" has scope ${p.scope}; this needs ${scope}`);
  if (svc !== undefined && !coversService(p, svc)) throw new ApiProblem(403, `the key "${p.name}" does not cover the service ${svc}`);
  return p;
}
