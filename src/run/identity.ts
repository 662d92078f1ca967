import type { UserDb, UserInfo } from "../core/ports.js";
import type { LoginVars } from "./environment.js";

/** The identity keywords of one task, as evaluated at use time. Empty text means unset. */
export interface IdentityKeywords {
  /** For messages, e.g. "task#0". */
  readonly rid: string;
  readonly user?: string;
  readonly group?: string;
}

/** Who runs svcmgr. Without `gid`, any `group` keyword needs root. */
export interface Invoker {
  readonly uid: number;
  readonly gid?: number;
}

/** The login variables a task gets from the passwd entry it runs as (PATH is fixed: see environment.ts). */
export type LoginEnv = LoginVars;

export interface SwitchIdentity {
  readonly user: string;
  readonly uid: number;
  readonly gid: number;
}

/**
 * What the task's user/group keywords ask for.
 * - `identity`: switch to it before exec (only ever set when the invoker is root).
 * - `env`: the login variables of the user switched to; absent: the invoking user's (see loginOf).
 * - `cwd`: the default working directory when the task sets none. `preferred` may not exist:
 *   the caller checks it and uses `fallback` then (this function does no I/O).
 * Nothing set (`{ ok: true }`) means no switch and nothing to override.
 */
export type IdentityResolution =
  | {
      readonly ok: true;
      readonly identity?: SwitchIdentity;
      readonly env?: LoginEnv;
      readonly cwd?: { readonly preferred: string; readonly fallback: "/" };
    }
  | { readonly ok: false; readonly message: string };

/**
 * Resolves `user` and `group` (names or numeric ids) against the user database.
 * As root: `user` switches uid, gid defaults to the user's primary group, `group` overrides it;
 * `group` alone switches only the gid (the user stays root).
 * Not root: the keywords may only name the invoker's own identity; anything else is an
 * error before anything runs. Errors are returned, never thrown.
 */
export function resolveIdentity(kw: IdentityKeywords, db: UserDb, invoker: Invoker): IdentityResolution {
  const user = blankToUndefined(kw.user);
  const group = blankToUndefined(kw.group);
  if (user === undefined && group === undefined) return { ok: true };
  return invoker.uid === 0
    ? resolveAsRoot(kw.rid, user, group, db, invoker)
    : resolveAsUser(kw.rid, user, group, db, invoker);
}

function resolveAsRoot(
  rid: string, user: string | undefined, group: string | undefined, db: UserDb, invoker: Invoker,
): IdentityResolution {
  const u = db.user(user ?? String(invoker.uid));
  if (!u) return fail(user === undefined ? `${rid}: uid ${invoker.uid} is not in the user database` : unknown(rid, "user", user));
  let gid = u.gid;
  if (group !== undefined) {
    const g = db.group(group);
    if (!g) return fail(unknown(rid, "group", group));
    gid = g.gid;
  }
  return { ok: true, identity: { user: u.name, uid: u.uid, gid }, ...loginOf(u) };
}

function resolveAsUser(
  rid: string, user: string | undefined, group: string | undefined, db: UserDb, invoker: Invoker,
): IdentityResolution {
  let u: UserInfo | null = null;
  if (user !== undefined) {
    u = db.user(user);
    if (!u) return fail(unknown(rid, "user", user));
    if (u.uid !== invoker.uid) return fail(needsRoot(rid, "user", user, invoker));
  }
  if (group !== undefined) {
    const g = db.group(group);
    if (!g) return fail(unknown(rid, "group", group));
    if (g.gid !== invoker.gid) return fail(needsRoot(rid, "group", group, invoker));
  }
  return u ? { ok: true, ...loginOf(u) } : { ok: true };
}

/** The login variables and default working directory of a user: the home, but `/` for root. */
export function loginOf(u: UserInfo): { env: LoginEnv; cwd: { preferred: string; fallback: "/" } } {
  const env: LoginEnv = { HOME: u.home, USER: u.name, LOGNAME: u.name, SHELL: u.shell === "" ? "/bin/sh" : u.shell };
  return { env, cwd: { preferred: u.uid === 0 || u.home === "" ? "/" : u.home, fallback: "/" } };
}

function unknown(rid: string, keyword: "user" | "group", value: string): string {
  const db = keyword === "user" ? "passwd" : "group";
  return `${rid}: ${keyword} "${value}" does not exist (keyword ${keyword}, not found in the ${db} database)`;
}

function needsRoot(rid: string, keyword: "user" | "group", value: string, invoker: Invoker): string {
  return `${rid}: ${keyword} "${value}" requires running svcmgr as root (current uid ${invoker.uid})`;
}

function fail(message: string): IdentityResolution {
  return { ok: false, message };
}

function blankToUndefined(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t === undefined || t === "" ? undefined : t;
}
