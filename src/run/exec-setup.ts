import type { UserDb } from "../core/ports.js";
import type { TaskDef } from "../task/model.js";
import type { RunContext } from "./context.js";
import { runEnvironment, scheduledForText, type LoginVars } from "./environment.js";
import { loginOf, resolveIdentity, type SwitchIdentity } from "./identity.js";

/** Who, where and with which environment a task's commands run. Shared by the command, triggers and on_error. */
export interface ExecSetup {
  readonly identity?: SwitchIdentity;
  /**
   * The run's environment (design §9). `runVars` are SVCMGR_* variables known only once the
   * run has begun (its record id, on_error's outcome); they take their place among the
   * SVCMGR_* layer, under `environment` and `--env`.
   */
  env(runVars?: Readonly<Record<string, string>>): Record<string, string>;
  readonly cwd: string;
  readonly userName: string;
}

export interface HostFacts {
  readonly users: UserDb;
  readonly uid: number;
  readonly gid: number;
  /** svcmgr's own environment: reaches a task only with --inherit-env. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** SVCMGR_NODENAME. */
  readonly nodename: string;
  /** LANG of every run (node configuration). */
  readonly lang: string;
  readonly isDirectory: (path: string) => boolean;
}

export interface ServiceFacts {
  readonly name: string;
  readonly path: string;
  readonly namespace: string;
  readonly varDir: string;
}

/** The keywords exec setup reads: a task's, or an app resource's for its check. */
export type ExecKeywords = Pick<TaskDef, "rid" | "user" | "group" | "cwd" | "environment"> & Partial<Pick<TaskDef, "timezone">>;

type SetupContext = Pick<RunContext, "trigger" | "session" | "extraEnv" | "scheduledFor" | "inheritEnv" | "fencingToken">;

export function execSetup(task: ExecKeywords, svc: ServiceFacts, ctx: SetupContext, host: HostFacts): ExecSetup | { error: string } {
  const resolved = resolveIdentity({ rid: task.rid, user: task.user, group: task.group }, host.users, { uid: host.uid, gid: host.gid });
  if (!resolved.ok) return { error: resolved.message };
  const own = resolved.env === undefined ? invokerLogin(host) : undefined;
  const login = resolved.env ?? own!.env;
  const home = resolved.cwd ?? own!.cwd;
  const svcmgr = svcmgrVars(task.rid, svc, ctx, host.nodename);
  const env = (runVars: Readonly<Record<string, string>> = {}) =>
    runEnvironment({
      login, lang: host.lang, timezone: task.timezone, inherited: ctx.inheritEnv === true ? host.env : undefined,
      svcmgr: { ...svcmgr, ...runVars }, environment: task.environment, extra: ctx.extraEnv,
    });
  const cwd = task.cwd ?? (host.isDirectory(home.preferred) ? home.preferred : home.fallback);
  return { identity: resolved.identity, env, cwd, userName: resolved.identity?.user ?? login.USER };
}

/** The invoking user's login variables; a uid missing from passwd gets a minimal set. */
function invokerLogin(host: HostFacts): { env: LoginVars; cwd: { preferred: string; fallback: "/" } } {
  const me = host.users.user(String(host.uid));
  if (me !== null) return loginOf(me);
  const name = String(host.uid);
  return { env: { HOME: "/", USER: name, LOGNAME: name, SHELL: "/bin/sh" }, cwd: { preferred: "/", fallback: "/" } };
}

function svcmgrVars(rid: string, svc: ServiceFacts, ctx: SetupContext, nodename: string): Record<string, string> {
  return {
    SVCMGR_SVCNAME: svc.name,
    SVCMGR_SVCPATH: svc.path,
    SVCMGR_NAMESPACE: svc.namespace,
    SVCMGR_RID: rid,
    SVCMGR_SESSION: ctx.session,
    SVCMGR_ACTION: "run",
    SVCMGR_TRIGGER: ctx.trigger,
    SVCMGR_VAR: svc.varDir,
    SVCMGR_NODENAME: nodename,
    ...(ctx.scheduledFor === undefined ? {} : { SVCMGR_SCHEDULED_FOR: scheduledForText(ctx.scheduledFor) }),
    ...(ctx.fencingToken === undefined ? {} : { SVCMGR_FENCING_TOKEN: String(ctx.fencingToken) }),
  };
}
