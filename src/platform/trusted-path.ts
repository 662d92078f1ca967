import { lstatSync, readlinkSync, type Stats } from "node:fs";
import { resolve } from "node:path";

/**
 * What a root svcmgr trusts: files and directories only root can change. A file a task
 * command comes from, or a directory svcmgr writes into as root, that another user could
 * replace, rename or write lets that user run commands as root or make root overwrite any
 * file.
 *
 * Trusted (when svcmgr runs as root): every directory and symlink on the way to the path
 * (symlinks followed, their own directories checked too) is owned by root, and no directory
 * on the way is writable by another user or by a group other than root's — except a sticky
 * one such as /tmp above the tree, where only the owner of an entry (root, checked) can
 * rename or remove it.
 */
export class UntrustedPath extends Error {
  constructor(readonly path: string, readonly st: Stats, readonly problem: string) {
    super(`${path} (mode ${modeText(st)}): ${problem}`);
  }

  get mode(): string {
    return modeText(this.st);
  }
}

export function modeText(st: Stats): string {
  return (st.mode & 0o7777).toString(8).padStart(4, "0");
}

/** Why someone other than root could change the file or directory `st`, or null. `sticky`: a sticky directory others can write is accepted. */
export function untrustedBecause(st: Stats, sticky = false): string | null {
  if (st.uid !== 0) return `it is owned by uid ${st.uid}, not root`;
  if (st.isSymbolicLink()) return null; // its mode means nothing; its directory is checked
  if (st.mode & 0o002 && !(sticky && st.isDirectory() && st.mode & 0o1000)) return "it is writable by any user";
  if (st.mode & 0o020 && st.gid !== 0) return `it is writable by group ${st.gid}`;
  return null;
}

/** The most symlinks followed on one path (Linux's own limit). */
const MAX_LINKS = 40;

/**
 * Resolves `path` (made absolute from the working directory) component by component, as the
 * kernel would, and checks every directory and symlink on the way; returns the real path
 * (no symlink left in it). Throws UntrustedPath naming the first thing that is not trusted,
 * or the lstat error (ENOENT…) of a missing component. The last component is not checked:
 * the caller opens it and checks what it opened (a file) or checks it as a tree (a directory).
 */
export function resolveTrusted(path: string): string {
  // Not path.resolve: it would collapse `link/..` lexically, which the kernel does not.
  const todo = (path.startsWith("/") ? path : `${process.cwd()}/${path}`).split("/").filter((c) => c !== "");
  let real = "/";
  checkDir(real, lstatSync(real), todo.length > 0);
  let links = 0;
  while (todo.length > 0) {
    const name = todo.shift()!;
    if (name === ".") continue;
    if (name === "..") {
      real = resolve(real, "..");
      continue;
    }
    const next = real === "/" ? `/${name}` : `${real}/${name}`;
    const st = lstatSync(next);
    if (st.isSymbolicLink()) {
      if (++links > MAX_LINKS) throw Object.assign(new Error(`too many levels of symbolic links: ${path}`), { code: "ELOOP" });
      const problem = untrustedBecause(st);
      if (problem !== null) throw new UntrustedPath(next, st, problem);
      const target = readlinkSync(next);
      todo.unshift(...target.split("/").filter((c) => c !== ""));
      if (target.startsWith("/")) real = "/";
      continue;
    }
    real = next;
    if (todo.length > 0) checkDir(real, st, true);
  }
  return real;
}

/** A directory on the way (`above`: not the last one, so a sticky /tmp is fine). */
function checkDir(path: string, st: Stats, above: boolean): void {
  if (!st.isDirectory()) throw Object.assign(new Error(`not a directory: ${path}`), { code: "ENOTDIR" });
  const problem = untrustedBecause(st, above);
  if (problem !== null) throw new UntrustedPath(path, st, problem);
}

/**
 * Checks a directory svcmgr writes into as root (the var or log dir, or one below them): the
 * way to it is trusted, and it is root's and writable by nobody else (a sticky directory is
 * not enough here: another user could plant a name before svcmgr creates it).
 * Returns its real path.
 */
export function checkTrustedDir(dir: string): string {
  const real = resolveTrusted(dir);
  checkDir(real, lstatSync(real), false);
  return real;
}
