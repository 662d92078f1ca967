import type { UserDb } from "../core/ports.js";
import type { TaskDef } from "../task/model.js";
import type { RunContext } from "./context.js";
import { resolveIdentity, type SwitchIdentity } from "./identity.js";

/** Who, where and with which environment a task's commands run. Shared by the command, triggers and on_error. */
export interface ExecSetup {
  readonly identity?: SwitchIdentity;
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string;
  readonly userName: string;
}

export interface HostFacts {
  readonly users: UserDb;
  readonly uid: number;
  readonly gid: number;
  /** svcmgr's own environment. */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readonly isDirectory: (path: string) => boolean;
}

export interface ServiceFacts {
  readonly name: string;
  readonly path: string;
  readonly namespace: string;
  readonly varDir: string;
}

/** Variables kept from svcmgr's environment when switching user (the rest is the user's login env). */
const KEPT_ACROSS_SWITCH = ["LANG", "LC_ALL", "LC_CTYPE", "TZ", "TERM"];

/** The keywords exec setup reads: a task's, or an app resource's for its check. */
export type ExecKeywords = Pick<TaskDef, "rid" | "user" | "group" | "cwd" | "environment">;

export function execSetup(task: ExecKeywords, svc: ServiceFacts, ctx: RunContext, host: HostFacts): ExecSetup | { error: string } {
  const resolved = resolveIdentity({ rid: task.rid, user: task.user, group: task.group }, host.users, { uid: host.uid, gid: host.gid });
  if (!resolved.ok) return { error: resolved.message };
  const base = resolved.identity !== undefined ? keep(host.env, KEPT_ACROSS_SWITCH) : defined(host.env);
  const env = {
    ...base,
    ...(resolved.env ?? {}),
    SVCMGR_SVCNAME: svc.name,
    SVCMGR_SVCPATH: svc.path,
    SVCMGR_NAMESPACE: svc.namespace,
    SVCMGR_RID: task.rid,
    SVCMGR_SESSION: ctx.session,
    SVCMGR_ACTION: "run",
    SVCMGR_TRIGGER: ctx.trigger,
    SVCMGR_VAR: svc.varDir,
    ...task.environment,
    ...ctx.extraEnv,
  };
  const home = resolved.cwd === undefined ? undefined : host.isDirectory(resolved.cwd.preferred) ? resolved.cwd.preferred : resolved.cwd.fallback;
  const userName = resolved.identity?.user ?? resolved.env?.USER ?? host.users.user(String(host.uid))?.name ?? host.env.USER ?? String(host.uid);
  return { identity: resolved.identity, env, cwd: task.cwd ?? home ?? host.cwd, userName };
}

function defined(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

function keep(env: Readonly<Record<string, string | undefined>>, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) if (env[n] !== undefined) out[n] = env[n]!;
  return out;
}
