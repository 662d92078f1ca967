import { globToRegExp } from "../config/glob.js";

/**
 * Who a request acts for, once authenticated: root on the daemon's socket (admin, every
 * service), or an API key with its scope and service globs. Scopes nest:
 * `read` ⊂ `run` ⊂ `admin`; `admin` covers every service whatever its globs.
 */
import { SCOPES, type Scope } from "../core/api-key.js";

export { SCOPES, type Scope };

export interface Principal {
  /** The key's name, or `root` (socket, uid 0). Recorded as a run's `initiatedBy`; never a secret. */
  readonly name: string;
  readonly scope: Scope;
  /** Service path globs the key may see and act on; empty: every service. */
  readonly services: readonly string[];
  /** `key` for an API key, `socket` for root on the Unix socket. */
  readonly via: "key" | "socket";
}

export function isScope(s: string): s is Scope {
  return (SCOPES as readonly string[]).includes(s);
}

/** True when `p` holds `needed` (or a wider scope). */
export function hasScope(p: Principal, needed: Scope): boolean {
  return SCOPES.indexOf(p.scope) >= SCOPES.indexOf(needed);
}

/** True when `p` may see or act on service `svc` (an object path). */
export function coversService(p: Principal, svc: string): boolean {
  if (p.scope === "admin" || p.services.length === 0) return true;
  return p.services.some((g) => globToRegExp(g).test(svc));
}
