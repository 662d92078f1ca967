import { NotFoundError, UsageError } from "../core/errors.js";
import { parseDuration } from "../core/duration.js";
import { SCOPES, type Scope, type StoredKey } from "../core/api-key.js";
import { globProblem } from "../config/glob.js";
import { KEY_NAME_SHAPE, newKey } from "./keys.js";
import type { ApiKeyAccess } from "../service/app.js";

/**
 * Managing API keys (`svcmgr apikey create|ls|revoke`, design §11): checking what is asked,
 * and the new list of keys it gives. Pure: the caller reads and writes the keys file (under
 * a lock), draws the random key and reads the clock.
 *
 * Invariants: a name names one key for ever (revoked keys keep theirs, so a name in a log or a
 * run's `initiatedBy` is never ambiguous); nothing here ever sees a secret, only its hash.
 */
export interface KeyRequest {
  readonly name: string;
  readonly scope: Scope;
  readonly services: readonly string[];
  readonly expiresAt: number | null;
}

const SCOPE_HELP = "read (every GET within its services), run (read, and run, suspend, resume) or admin (everything, every service)";
/** Longer than this is "never": leave --expires out. */
const MAX_EXPIRY_MS = 3650 * 86_400_000;
/** Characters of an object path (`[namespace/][svc/]name`) and of a glob's `*`, `?`, `[!…]`. */
const SERVICE_GLOB_CHARS = /^[A-Za-z0-9_.\-/*?[\]!]+$/;

/** Checks `apikey create`'s arguments; throws a UsageError naming the option, the value and what is allowed. */
export function keyRequest(input: { name: string; scope: unknown; services?: unknown; expires?: unknown }, now: number): KeyRequest {
  if (!KEY_NAME_SHAPE.test(input.name)) {
    throw new UsageError(`key name "${input.name}": 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit`);
  }
  if (input.scope === undefined) throw new UsageError(`--scope is required: ${SCOPE_HELP}`);
  const scope = String(input.scope);
  if (!(SCOPES as readonly string[]).includes(scope)) throw new UsageError(`--scope ${scope}: expected ${SCOPE_HELP}`);
  const services = input.services === undefined ? [] : serviceGlobs(String(input.services));
  if (scope === "admin" && services.length > 0) throw new UsageError("--services does not apply to an admin key, which covers every service: use --scope run or read to limit a key to some services");
  const expiresAt = input.expires === undefined ? null : now + expiry(String(input.expires));
  return { name: input.name, scope: scope as Scope, services, expiresAt };
}

/** `--services GLOB[,GLOB…]` → the distinct globs, each checked. */
function serviceGlobs(text: string): string[] {
  const globs = text.split(",").map((g) => g.trim());
  for (const g of globs) {
    const problem =
      g === "" ? "an empty glob" : !SERVICE_GLOB_CHARS.test(g) ? "service globs are made of letters, digits, '.', '_', '-', '/' and the wildcards *, ? and [...]" : g.split("/").length > 3 ? "an object path has at most 3 parts: [namespace/][svc/]name" : globProblem(g);
    if (problem !== null) throw new UsageError(`--services ${text}: bad glob "${g}": ${problem} (example: --services 'web*,prod/svc/db')`);
  }
  return [...new Set(globs)];
}

function expiry(text: string): number {
  const ms = /^\s*\d+(\.\d+)?\s*$/.test(text) ? null : parseDuration(text);
  if (ms === null) throw new UsageError(`--expires ${text}: expected a duration with a unit, such as 12h, 30d or 1w`);
  if (ms <= 0) throw new UsageError(`--expires ${text}: a key must be valid for some time; leave --expires out for a key that never expires`);
  if (ms > MAX_EXPIRY_MS) throw new UsageError(`--expires ${text}: at most 3650d; leave --expires out for a key that never expires`);
  return ms;
}

/** The keys with a new one added; throws when the name or (most unlikely) the id is taken. */
export function withNewKey(keys: readonly StoredKey[], req: KeyRequest, fresh: { readonly id: string; readonly hash: string }, createdBy: string, now: number): StoredKey[] {
  const same = keys.find((k) => k.name === req.name);
  if (same !== undefined) {
    const state = same.revokedAt === null ? "" : " (revoked: names are not reused, so logs and run records stay unambiguous)";
    throw new UsageError(`an API key named "${req.name}" already exists${state}; choose another name`);
  }
  if (keys.some((k) => k.id === fresh.id)) throw new IdTaken();
  return [...keys, { id: fresh.id, name: req.name, hash: fresh.hash, scope: req.scope, services: req.services, createdAt: now, expiresAt: req.expiresAt, revokedAt: null, createdBy }];
}

/** A fresh id equal to a stored one: draw another key. */
export class IdTaken extends Error {}

/** The keys with `name` revoked from `now` on (a key already revoked stays as it was). */
export function withRevoked(keys: readonly StoredKey[], name: string, now: number): { keys: StoredKey[]; key: StoredKey; already: boolean } {
  const key = keys.find((k) => k.name === name);
  if (key === undefined) {
    const names = keys.filter((k) => k.revokedAt === null).map((k) => k.name);
    throw new NotFoundError(`no API key named "${name}"${names.length === 0 ? "" : `; keys in force: ${names.join(", ")}`}`);
  }
  if (key.revokedAt !== null) return { keys: [...keys], key, already: true };
  const revoked = { ...key, revokedAt: now };
  return { keys: keys.map((k) => (k === key ? revoked : k)), key: revoked, already: false };
}

export type KeyState = "active" | "expired" | "revoked";

/** A key as `apikey ls` shows it: never its hash. */
export interface KeyView {
  readonly name: string;
  readonly id: string;
  readonly scope: Scope;
  readonly services: readonly string[];
  readonly state: KeyState;
  readonly createdAt: number;
  readonly createdBy: string;
  readonly expiresAt: number | null;
  readonly revokedAt: number | null;
  readonly lastUsedAt: number | null;
}

export function keyState(k: StoredKey, now: number): KeyState {
  return k.revokedAt !== null ? "revoked" : k.expiresAt !== null && now >= k.expiresAt ? "expired" : "active";
}

/** The keys to list, oldest first: revoked ones only with `all`. */
export function keyViews(keys: readonly StoredKey[], lastUse: ReadonlyMap<string, number>, now: number, all: boolean): KeyView[] {
  return keys
    .filter((k) => all || k.revokedAt === null)
    .sort((a, b) => a.createdAt - b.createdAt)
    .map((k) => ({
      name: k.name, id: k.id, scope: k.scope, services: k.services, state: keyState(k, now),
      createdAt: k.createdAt, createdBy: k.createdBy, expiresAt: k.expiresAt, revokedAt: k.revokedAt, lastUsedAt: lastUse.get(k.id) ?? null,
    }));
}

/** Stores a freshly drawn key under the keys file's lock; draws again in the (astronomically unlikely) case its id is taken. Its text, shown once. */
export function storeNewKey(access: ApiKeyAccess, req: KeyRequest, createdBy: string, now: number): string {
  for (;;) {
    const fresh = newKey();
    try {
      access.update((keys) => ({ keys: withNewKey(keys, req, fresh, createdBy, now), result: undefined }));
      return fresh.text;
    } catch (e) {
      if (!(e instanceof IdTaken)) throw e;
    }
  }
}
