import { accessSync, closeSync, constants, openSync, readSync, statSync, type Stats } from "node:fs";
import { resolve } from "node:path";
import type { ProcessSpec, UserDb } from "../core/ports.js";

/**
 * Program lookup: execvp's rules, but in the task's PATH and for the identity the task runs
 * as, checked before anything is spawned so that a missing or unexecutable program is
 * reported by name rather than as a bare exec failure.
 */

/** May the task's identity execute this file? */
export type ExecCheck = (path: string, st: Stats) => boolean;
type Lookup = { ok: true; path: string; st: Stats } | { ok: false; error: string };

/** execvp's search path when PATH is unset (confstr _CS_PATH). */
const DEFAULT_EXEC_PATH = "/bin:/usr/bin";

export function checkCwd(cwd: string): string | null {
  try {
    return statSync(cwd).isDirectory() ? null : `working directory is not a directory: ${cwd}`;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EACCES" ? `permission denied: working directory ${cwd}` : `working directory not found: ${cwd}`;
  }
}

/**
 * argv[0] with a `/` is taken relative to cwd; otherwise each PATH entry is tried in order
 * (an empty entry is cwd). A match that exists but cannot be executed is skipped, as execvp
 * does, and reported as "permission denied" when nothing executable follows.
 * The program is then exec'd by its absolute path, so argv[0] becomes that path.
 */
export function resolveProgram(argv0: string, pathVar: string | undefined, cwd: string, canExec: ExecCheck): Lookup {
  const candidates = argv0.includes("/")
    ? [resolve(cwd, argv0)]
    : (pathVar ?? DEFAULT_EXEC_PATH).split(":").map((dir) => resolve(cwd, dir, argv0));
  let denied = false;
  for (const path of candidates) {
    const found = checkCandidate(path, canExec);
    if (found.verdict === "ok") return { ok: true, path, st: found.st };
    if (found.verdict === "denied") denied = true;
  }
  return { ok: false, error: `${denied ? "permission denied" : "command not found"}: ${argv0}` };
}

type Candidate = { verdict: "ok"; st: Stats } | { verdict: "missing" | "denied" };

export function checkCandidate(path: string, canExec: ExecCheck): Candidate {
  let st: Stats;
  try {
    st = statSync(path);
  } catch (e) {
    return { verdict: (e as NodeJS.ErrnoException).code === "EACCES" ? "denied" : "missing" };
  }
  // execve refuses directories and devices with EACCES.
  if (!st.isFile()) return { verdict: "denied" };
  return canExec(path, st) ? { verdict: "ok", st } : { verdict: "denied" };
}

/**
 * A script's `#!` interpreter must exist too: execve fails with ENOENT otherwise, which would
 * read as "command not found" for a file that is there. Reads at most the kernel's 256 bytes.
 */
export function checkInterpreter(program: { path: string; st: Stats }, argv0: string, cwd: string, canExec: ExecCheck): string | null {
  const interpreter = interpreterOf(program.path, program.st);
  if (interpreter === null) return null;
  if (interpreter === "") return `exec format error: ${argv0} (empty #! line)`;
  const { verdict } = checkCandidate(resolve(cwd, interpreter), canExec);
  if (verdict === "ok") return null;
  return `bad interpreter: ${argv0} (#!${interpreter}: ${verdict === "missing" ? "not found" : "permission denied"})`;
}

/** Programs' `#!` interpreters (null: not a script), by path, valid while the file's stat is unchanged. */
const interpreters = new Map<string, { stamp: string; interpreter: string | null }>();
const MAX_REMEMBERED_PROGRAMS = 1000;

/** The `#!` interpreter of the program at `path`, read once per version of the file. */
function interpreterOf(path: string, st: Stats): string | null {
  const stamp = `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  const known = interpreters.get(path);
  if (known?.stamp === stamp) return known.interpreter;
  const head = readHead(path, 256);
  const interpreter = head.startsWith("#!") ? (head.slice(2).split("\n", 1)[0]!.trim().split(/[ \t]/, 1)[0] ?? "") : null;
  if (interpreters.size >= MAX_REMEMBERED_PROGRAMS) interpreters.clear();
  interpreters.set(path, { stamp, interpreter });
  return interpreter;
}

function readHead(path: string, max: number): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    const buf = Buffer.alloc(max);
    return buf.toString("latin1", 0, readSync(fd, buf, 0, max, 0));
  } catch {
    return "";
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** This process's own right to execute (access(2)): for the wrapper tools and unswitched tasks. */
export const selfExecCheck: ExecCheck = (path) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** The kernel's rule for the switched identity: owner bits, else group bits, else other bits. */
export function identityExecCheck(id: NonNullable<ProcessSpec["identity"]>, db: UserDb): ExecCheck {
  const gids = new Set([id.gid, ...db.supplementaryGids(id.user)]);
  return (_path, st) => {
    if (id.uid === 0) return (st.mode & 0o111) !== 0;
    if (st.uid === id.uid) return (st.mode & 0o100) !== 0;
    if (gids.has(st.gid)) return (st.mode & 0o010) !== 0;
    return (st.mode & 0o001) !== 0;
  };
}
