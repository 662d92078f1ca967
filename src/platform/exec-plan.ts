import { join } from "node:path";
import type { LimitName, ProcessSpec, UserDb } from "../core/ports.js";
import { checkCandidate, checkCwd, checkInterpreter, identityExecCheck, resolveProgram, selfExecCheck } from "./program-lookup.js";

/**
 * What is spawned for a ProcessSpec: the exec chain, outermost first, each step exec'ing the
 * next in the same pid:
 *   [sh -c '…umask "$1" && shift && exec "$@"' svcmgr MASK]
 *   [prlimit --x=N:N … --]
 *   [setpriv --reuid=U --regid=G --init-groups --]
 *   /absolute/program args…
 * Each wrapper appears only when the spec needs it. spec.env is the complete environment at
 * every step (setpriv without --reset-env), so the task sees exactly spec.env.
 */
export type ExecPlan = { ok: true; argv: string[] } | { ok: false; error: string };

/** Whether a wrapper tool can be run from `path`; the real check runs it by this process's rights. */
export type IsTool = (path: string) => boolean;

const isExecutableTool: IsTool = (path) => checkCandidate(path, selfExecCheck).verdict === "ok";

export interface ExecPlanContext {
  /** Where sh, prlimit and setpriv are found. */
  readonly toolDirs: readonly string[];
  /** Supplementary groups of a switched identity, for the execute-permission check. */
  readonly userDb: () => UserDb;
}

/** Every check that can fail before spawn: cwd, program lookup, limits, wrapper tools. */
export function planExec(spec: Pick<ProcessSpec, "argv" | "env" | "cwd" | "identity" | "umask" | "limits">, ctx: ExecPlanContext): ExecPlan {
  const argv0 = spec.argv[0];
  if (argv0 === undefined || argv0 === "") return { ok: false, error: "empty command" };
  const cwdError = checkCwd(spec.cwd);
  if (cwdError) return { ok: false, error: cwdError };
  const canExec = spec.identity ? identityExecCheck(spec.identity, ctx.userDb()) : selfExecCheck;
  const program = resolveProgram(argv0, spec.env.PATH, spec.cwd, canExec);
  if (!program.ok) return program;
  const interpreterError = checkInterpreter(program, argv0, spec.cwd, canExec);
  if (interpreterError) return { ok: false, error: interpreterError };
  const wrappers = wrapperArgv(spec, ctx.toolDirs);
  if (!wrappers.ok) return wrappers;
  return { ok: true, argv: [...wrappers.argv, program.path, ...spec.argv.slice(1)] };
}

/**
 * The wrappers' argv for umask, rlimits and identity, outermost first; each tool is the first
 * `isTool` path in `toolDirs` (never the task's PATH).
 * The umask is set by a /bin/sh prelude in the child, never in the agent: process.umask() is
 * process-wide, and libuv's thread pool may create files (history, state) while a spawn is in
 * progress, so toggling it around spawn() would race. The mask travels as $1 (no quoting);
 * $0 is "svcmgr", the name sh puts in front of its own error messages.
 */
export function wrapperArgv(spec: WrapperSpec, toolDirs: readonly string[], isTool: IsTool = isExecutableTool): ExecPlan {
  const argv: string[] = [];
  const tool = (name: string): string | null => toolDirs.map((dir) => join(dir, name)).find(isTool) ?? null;
  const missing = (name: string, keyword: string): ExecPlan => ({ ok: false, error: `${name} not found in ${toolDirs.join(":")}: needed for ${keyword}` });
  if (spec.umask !== undefined) {
    if (!Number.isInteger(spec.umask) || spec.umask < 0 || spec.umask > 0o777) return { ok: false, error: `invalid umask: ${spec.umask}` };
    const sh = tool("sh");
    if (!sh) return missing("sh", "umask");
    argv.push(sh, "-c", umaskScript(spec.env), "svcmgr", `0${spec.umask.toString(8).padStart(3, "0")}`);
  }
  const limitFlags = prlimitFlags(spec.limits ?? {});
  if (!Array.isArray(limitFlags)) return limitFlags;
  if (limitFlags.length > 0) {
    const prlimit = tool("prlimit");
    if (!prlimit) return missing("prlimit", "limit_*");
    argv.push(prlimit, ...limitFlags, "--");
  }
  if (spec.identity) {
    const setpriv = tool("setpriv");
    if (!setpriv) return missing("setpriv", "user/group");
    const { uid, gid } = spec.identity;
    argv.push(setpriv, `--reuid=${uid}`, `--regid=${gid}`, "--init-groups", "--");
  }
  return { ok: true, argv };
}

type WrapperSpec = Pick<ProcessSpec, "env" | "umask" | "limits" | "identity">;

/** dash exports PWD; it is unset first unless the task's env has one, to keep the environment exact. */
function umaskScript(env: ProcessSpec["env"]): string {
  return `${"PWD" in env ? "" : "unset PWD; "}umask "$1" && shift && exec "$@"`;
}

/** soft = hard = value; `vmem` is an alias of `as` (an explicit `as` wins). */
function prlimitFlags(limits: Readonly<Partial<Record<LimitName, number>>>): string[] | { ok: false; error: string } {
  const byFlag = new Map<string, number>();
  const entries = Object.entries(limits).sort(([a], [b]) => (a === "vmem" ? -1 : b === "vmem" ? 1 : 0));
  for (const [name, value] of entries) {
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value < 0) return { ok: false, error: `invalid limit_${name}: ${value}` };
    byFlag.set(name === "vmem" ? "as" : name, value);
  }
  return [...byFlag].map(([flag, v]) => `--${flag}=${v}:${v}`);
}
