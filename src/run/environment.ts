/**
 * The one environment of a run (design §9), the same from `run`, the daemon and the API.
 * Layers, each overriding the one before:
 *   1. the fixed base: PATH, the task user's HOME/USER/LOGNAME/SHELL, LANG, TZ when the task
 *      sets `timezone` — or, with `--inherit-env`, the caller's environment over that base;
 *   2. the SVCMGR_* variables;
 *   3. the task's `environment` keyword;
 *   4. `--env` (API `env`).
 * Invariant: without `--inherit-env`, nothing of svcmgr's own environment reaches the task.
 * Pure: no I/O, no globals.
 */

/** The PATH of every run, whoever it runs as. */
export const RUN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** LANG when the node configuration sets none. */
export const DEFAULT_LANG = "C.UTF-8";

/** The login variables of the user a task runs as (from the password database). */
export interface LoginVars {
  readonly HOME: string;
  readonly USER: string;
  readonly LOGNAME: string;
  readonly SHELL: string;
}

export interface EnvironmentLayers {
  readonly login: LoginVars;
  readonly lang: string;
  /** The task's `timezone`, exported as TZ. */
  readonly timezone?: string;
  /** `--inherit-env`: the caller's environment, laid over the fixed base. */
  readonly inherited?: Readonly<Record<string, string | undefined>>;
  readonly svcmgr: Readonly<Record<string, string>>;
  readonly environment: Readonly<Record<string, string>>;
  readonly extra: Readonly<Record<string, string>>;
}

export function runEnvironment(l: EnvironmentLayers): Record<string, string> {
  const env: Record<string, string> = { PATH: RUN_PATH, ...l.login, LANG: l.lang };
  if (l.timezone !== undefined && l.timezone !== "") env.TZ = l.timezone;
  if (l.inherited !== undefined) for (const [k, v] of Object.entries(l.inherited)) if (v !== undefined) env[k] = v;
  return { ...env, ...l.svcmgr, ...l.environment, ...l.extra };
}

/** A slot time as SVCMGR_SCHEDULED_FOR shows it: ISO 8601 UTC, whole seconds without fraction. */
export function scheduledForText(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.000Z$/, "Z");
}
