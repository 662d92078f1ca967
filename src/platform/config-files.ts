import { readdirSync, readFileSync, statSync, type Stats } from "node:fs";
import { dirname, join, relative } from "node:path";
import { ConfigError, NotFoundError } from "../core/errors.js";
import { configFile, type Paths } from "../core/paths.js";
import { naturalCompare } from "../core/natural-order.js";
import { formatObjectPath, parseObjectPath, type ObjectPath } from "../core/object-path.js";

/** Every service path found under the etc dir: `<etc>/<name>.conf`, `<etc>/namespaces/<ns>/svc/<name>.conf`. */
export function listServicePaths(paths: Paths): ObjectPath[] {
  const found: ObjectPath[] = [];
  for (const f of safeReaddir(paths.etc)) {
    if (f.endsWith(".conf")) tryPush(found, f.slice(0, -5));
  }
  for (const ns of safeReaddir(join(paths.etc, "namespaces"))) {
    for (const f of safeReaddir(join(paths.etc, "namespaces", ns, "svc"))) {
      if (f.endsWith(".conf")) tryPush(found, `${ns}/svc/${f.slice(0, -5)}`);
    }
  }
  return found.sort((a, b) => naturalCompare(formatObjectPath(a), formatObjectPath(b)));
}

function tryPush(found: ObjectPath[], text: string): void {
  try {
    found.push(parseObjectPath(text));
  } catch {
    // a file whose name is not a valid object path is not a service
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * Reads a service's config file. When svcmgr runs as root, a file (or any directory from it up
 * to the etc dir) that a non-root user or group can write, or that a non-root user owns, is
 * refused: a root agent must not execute commands that someone else can inject.
 */
export function readServiceFile(paths: Paths, path: ObjectPath, uid: number): { file: string; text: string } {
  const file = configFile(paths, path);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new NotFoundError(`service ${formatObjectPath(path)} not found: no ${file}`);
    throw new ConfigError(`cannot read ${file}: ${(e as Error).message}`, []);
  }
  if (uid === 0) checkOwnership(file, paths.etc);
  return { file, text };
}

function checkOwnership(file: string, etc: string): void {
  let p = file;
  for (;;) {
    const problem = unsafeFor(statSync(p));
    if (problem !== null) {
      const kind = p === file ? "config file" : "directory";
      throw new ConfigError(
        `refusing ${kind} ${p} (mode ${(statSync(p).mode & 0o7777).toString(8).padStart(4, "0")}): ${problem}; ` +
          `svcmgr runs commands from it as root. Fix with: chown root:root ${p} && chmod go-w ${p}`,
        [],
      );
    }
    if (relative(etc, p) === "" || dirname(p) === p) return;
    p = dirname(p);
  }
}

function unsafeFor(st: Stats): string | null {
  if (st.uid !== 0) return `it is owned by uid ${st.uid}, not root`;
  if (st.mode & 0o002) return "it is writable by any user";
  if (st.mode & 0o020 && st.gid !== 0) return `it is writable by group ${st.gid}`;
  return null;
}
