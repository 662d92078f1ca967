import { randomBytes, timingSafeEqual } from "node:crypto";
import type { KeyStore } from "../core/api-key.js";
import { checkKey } from "../api/keys.js";
import type { Principal } from "../api/principal.js";

/**
 * Web sessions: an API key is exchanged once, at login, for a random session id (the cookie,
 * `HttpOnly; SameSite=Strict`) and a CSRF token (in every form). The key itself is never kept:
 * the session holds its id, and each request checks again that the key is still in force, so a
 * revoked or expired key ends its sessions at the next request. Sessions live in the daemon's
 * memory, expire after `ttlMs` idle (and after `maxMs` in all), and end at logout.
 */
export interface WebSession {
  readonly id: string;
  readonly csrf: string;
  readonly keyId: string;
  readonly principal: Principal;
  readonly createdAt: number;
  lastSeen: number;
}

export const SESSION_COOKIE = "svcmgr_session";

export class SessionStore {
  private readonly sessions = new Map<string, WebSession>();

  constructor(
    private readonly keys: KeyStore,
    private readonly now: () => number,
    private readonly ttlMs = 30 * 60_000,
    private readonly maxMs = 12 * 3600_000,
    private readonly maxSessions = 10_000,
  ) {}

  /** Checks the key; a new session, or why not. */
  login(keyText: string): { ok: true; session: WebSession } | { ok: false; why: string } {
    const check = checkKey(keyText.trim(), this.keys, this.now());
    if (!check.ok) return { ok: false, why: check.why === "revoked" ? "this key was revoked" : check.why === "expired" ? "this key has expired" : "not a valid API key" };
    this.keys.used(check.key.id, this.now());
    const k = check.key;
    const session: WebSession = {
      id: token(), csrf: token(), keyId: k.id, createdAt: this.now(), lastSeen: this.now(),
      principal: { name: k.name, scope: k.scope, services: k.services, via: "key" },
    };
    this.sweep();
    this.sessions.set(session.id, session);
    return { ok: true, session };
  }

  /** The live session of a cookie value, or null (unknown, expired, or its key no longer in force). */
  get(id: string | undefined): WebSession | null {
    if (id === undefined) return null;
    const s = this.sessions.get(id);
    if (s === undefined) return null;
    const now = this.now();
    const key = this.keys.find(s.keyId);
    const keyOk = key !== null && key.revokedAt === null && (key.expiresAt === null || now < key.expiresAt);
    if (!keyOk || now - s.lastSeen > this.ttlMs || now - s.createdAt > this.maxMs) {
      this.sessions.delete(id);
      return null;
    }
    s.lastSeen = now;
    return s;
  }

  logout(id: string | undefined): void {
    if (id !== undefined) this.sessions.delete(id);
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, s] of this.sessions) if (now - s.lastSeen > this.ttlMs || now - s.createdAt > this.maxMs) this.sessions.delete(id);
    while (this.sessions.size >= this.maxSessions) this.sessions.delete(this.sessions.keys().next().value!);
  }
}

/** Constant-time comparison of a submitted CSRF token with the session's. */
export function csrfMatches(session: WebSession, submitted: string | undefined): boolean {
  if (submitted === undefined) return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(submitted);
  return a.length === b.length && timingSafeEqual(a, b);
}

function token(): string {
  return randomBytes(32).toString("base64url");
}
