import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, realpathSync, type Stats } from "node:fs";
import { join } from "node:path";
import { modeText, resolveTrusted, UntrustedPath, untrustedBecause } from "./trusted-path.js";
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
 * The largest config file svcmgr reads: far above any real service (10,000 sections take
 * about 0.5 MB), low enough that a huge or endless file cannot exhaust the agent's memory.
 */
const MAX_CONFIG_BYTES = 8 * 1024 * 1024;

/**
 * Reads a service's config file: only a regular file of at most MAX_CONFIG_BYTES (a FIFO or
 * a device is refused at once, never waited on). When svcmgr runs as root, the file and the
 * way to it must be trusted (trusted-path.ts): a root agent must not execute commands that
 * someone else can inject. The way is resolved and checked before anything is opened, the
 * real file is opened without following a symlink, and what was opened is checked (fstat)
 * and read from that one descriptor, so a file swapped in between is never read.
 */
export function readServiceFile(paths: Paths, path: ObjectPath, uid: number): { file: string; text: string } {
  const file = configFile(paths, path);
  try {
    return { file, text: readConfigText(file, uid === 0) };
  } catch (e) {
    throw readError(file, path, e);
  }
}

/** Any file svcmgr takes commands from (a seed, an import's source), with a config file's checks. */
export function readTrustedFile(file: string, uid: number): string {
  try {
    return readConfigText(file, uid === 0);
  } catch (e) {
    if (e instanceof UntrustedPath) {
      throw new ConfigError(`refusing ${e.path} (mode ${modeText(e.st)}): ${e.problem}; svcmgr would run commands from it as root. Fix with: chown root:root ${e.path} && chmod go-w ${e.path}`, []);
    }
    if (e instanceof RefusedFile) throw new ConfigError(`refusing ${file}: ${e.message}`, []);
    if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new NotFoundError(`no file ${file}`);
    throw new ConfigError(`cannot read ${file}: ${(e as Error).message}`, []);
  }
}

class RefusedFile extends Error {}

function readConfigText(file: string, asRoot: boolean): string {
  const real = asRoot ? resolveTrusted(file) : realpathSync(file);
  const fd = openSync(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new RefusedFile(`it is ${fileKind(st)}, not a regular file`);
    const problem = asRoot ? untrustedBecause(st) : null;
    if (problem !== null) throw new UntrustedPath(real, st, problem);
    if (st.size > MAX_CONFIG_BYTES) throw new RefusedFile(tooLarge(st.size));
    return readAtMost(fd, MAX_CONFIG_BYTES).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/** Up to `max` bytes; a file that grew past `max` since its fstat is refused. */
function readAtMost(fd: number, max: number): Buffer {
  const buf = Buffer.alloc(Math.min(max + 1, 64 * 1024));
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const n = readSync(fd, buf, 0, buf.length, null);
    if (n === 0) return Buffer.concat(chunks, total);
    chunks.push(Buffer.from(buf.subarray(0, n)));
    total += n;
    if (total > max) throw new RefusedFile(tooLarge(total));
  }
}

const tooLarge = (size: number) => `it holds more than ${MAX_CONFIG_BYTES} bytes (${size}), the most a config file may hold`;

function fileKind(st: Stats): string {
  if (st.isFIFO()) return "a FIFO";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  if (st.isSocket()) return "a socket";
  if (st.isDirectory()) return "a directory";
  return "not a regular file";
}

function readError(file: string, path: ObjectPath, e: unknown): Error {
  if (e instanceof UntrustedPath) {
    const kind = e.st.isSymbolicLink() ? "symlink" : e.st.isDirectory() ? "directory" : "config file";
    const shown = kind === "config file" && e.path !== file ? `${file} (${e.path})` : e.path;
    const where = kind === "config file" ? "" : ` on the way to ${file}`;
    return new ConfigError(
      `refusing ${kind} ${shown} (mode ${modeText(e.st)}): ${e.problem}${where}; svcmgr runs commands from it as root. ` +
        `Fix with: chown root:root ${e.path} && chmod go-w ${e.path}`,
      [],
    );
  }
  if (e instanceof RefusedFile) return new ConfigError(`refusing config file ${file}: ${e.message}`, []);
  if ((e as NodeJS.ErrnoException).code === "ENOENT") return new NotFoundError(`service ${formatObjectPath(path)} not found: no ${file}`);
  return new ConfigError(`cannot read ${file}: ${(e as Error).message}`, []);
}
