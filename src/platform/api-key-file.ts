import { readFileSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { SCOPES, type KeyStore, type Scope, type StoredKey } from "../core/api-key.js";
import { ActionError, SvcmgrError } from "../core/errors.js";
import { globProblem } from "../config/glob.js";
import type { ApiKeyAccess } from "../service/app.js";
import { writeFileAtomic } from "./atomic-write.js";
import { DirLockTimeout, withDirLock } from "./dir-lock.js";
import { ensureDir } from "./fs-util.js";

/**
 * The API keys file (`<var>/apikeys.json`, mode 0600): `{"version": 1, "keys": [StoredKey…]}`,
 * written whole and atomically by `svcmgr apikey`; read by the daemon, again whenever its
 * inode, size or mtime changed (so a revocation applies to the next request). Last uses go
 * to their own file, written by the daemon only, so the two writers never race.
 *
 * Invariant: a file that cannot be read or parsed gives no key at all (fail closed), and the
 * reason is said once through `onError`.
 */
export interface KeyFile {
  readonly keys: readonly StoredKey[];
}

export function readKeyFile(path: string): KeyFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { keys: [] };
    throw e;
  }
  let parsed: { version?: unknown; keys?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch (e) {
    throw new Error(`${path}: not JSON (${(e as Error).message})`);
  }
  if (parsed === null || typeof parsed !== "object" || parsed.version !== 1 || !Array.isArray(parsed.keys)) throw new Error(`${path}: not an svcmgr API keys file (version 1)`);
  return { keys: parsed.keys.map((k, i) => checkedKey(k, `${path}: key ${i + 1}`)) };
}

export function writeKeyFile(path: string, file: KeyFile): void {
  writeFileAtomic(path, JSON.stringify({ version: 1, keys: file.keys }, null, 2) + "\n", 0o600, true);
}

/**
 * The CLI's access to the keys file. Changes hold an exclusive lock on the var dir (flock, or
 * `<var>.lock` without the addon) from the read to the rename, so concurrent `apikey create`s
 * each see the other's key. A damaged file is an error naming it (exit 2), never overwritten.
 */
export function keyFileAccess(paths: { keys: string; lastUse: string }): ApiKeyAccess {
  const read = () => {
    try {
      return readKeyFile(paths.keys).keys;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== undefined) throw e; // a system error: EACCES and the like, said as such
      throw new SvcmgrError(`${(e as Error).message}; the daemon refuses every key until it is fixed (or moved aside: svcmgr apikey create then starts a new file)`, 2);
    }
  };
  return {
    file: paths.keys,
    list: read,
    update: (change) => {
      ensureDir(dirname(paths.keys));
      try {
        return withDirLock(dirname(paths.keys), () => {
          const out = change(read());
          writeKeyFile(paths.keys, { keys: out.keys });
          return out.result;
        });
      } catch (e) {
        if (e instanceof DirLockTimeout) throw new ActionError(`cannot change the API keys: ${e.message}`);
        throw e;
      }
    },
    lastUse: () => readLastUse(paths.lastUse),
  };
}

function checkedKey(k: unknown, where: string): StoredKey {
  if (typeof k !== "object" || k === null || Array.isArray(k)) throw new Error(`${where}: not an object`);
  const o = k as Record<string, unknown>;
  const str = (f: string) => {
    if (typeof o[f] !== "string") throw new Error(`${where}: "${f}" is not a string`);
    return o[f] as string;
  };
  const time = (f: string) => {
    if (o[f] !== null && typeof o[f] !== "number") throw new Error(`${where}: "${f}" is not a time`);
    return o[f] as number | null;
  };
  const scope = str("scope");
  if (!(SCOPES as readonly string[]).includes(scope)) throw new Error(`${where}: unknown scope "${scope}"`);
  if (!Array.isArray(o.services) || o.services.some((s) => typeof s !== "string")) throw new Error(`${where}: "services" is not a list of globs`);
  for (const g of o.services as string[]) {
    const problem = globProblem(g);
    if (problem !== null) throw new Error(`${where}: bad service glob "${g}": ${problem}`);
  }
  return {
    id: str("id"), name: str("name"), hash: str("hash"), scope: scope as Scope, services: o.services as string[],
    createdAt: time("createdAt") ?? 0, expiresAt: time("expiresAt"), revokedAt: time("revokedAt"), createdBy: str("createdBy"),
  };
}

/** The daemon's KeyStore over the keys file, re-read when it changes; last uses written every `flushMs`. */
export function watchedKeyStore(paths: { keys: string; lastUse: string }, onError: (message: string) => void, flushMs = 10_000): KeyStore & { close(): void } {
  let stamp = "";
  let byId = new Map<string, StoredKey>();
  let lastError = "";
  const lastUse = readLastUse(paths.lastUse);
  let dirty = false;
  const refresh = () => {
    let now: string;
    try {
      const st = statSync(paths.keys);
      now = `${st.ino}:${st.size}:${st.mtimeMs}`;
    } catch {
      now = "absent";
    }
    if (now === stamp) return;
    try {
      byId = new Map(readKeyFile(paths.keys).keys.map((k) => [k.id, k]));
      stamp = now;
      lastError = "";
    } catch (e) {
      byId = new Map();
      stamp = now;
      const message = `API keys unusable, every key refused: ${(e as Error).message}`;
      if (message !== lastError) onError((lastError = message));
    }
  };
  const flush = () => {
    if (!dirty) return;
    dirty = false;
    try {
      writeFileAtomic(paths.lastUse, JSON.stringify(Object.fromEntries(lastUse)) + "\n", 0o600);
    } catch (e) {
      onError(`cannot write ${paths.lastUse}: ${(e as Error).message}`);
    }
  };
  const timer = setInterval(flush, flushMs);
  timer.unref();
  return {
    find: (id) => {
      refresh();
      return byId.get(id) ?? null;
    },
    used: (id, at) => {
      lastUse.set(id, at);
      dirty = true;
    },
    close: () => {
      clearInterval(timer);
      flush();
    },
  };
}

/** `{id: epoch ms}` of each key's last use; empty when the file is missing or unreadable. */
export function readLastUse(path: string): Map<string, number> {
  try {
    const o = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    return new Map(Object.entries(o).filter((e): e is [string, number] => typeof e[1] === "number"));
  } catch {
    return new Map();
  }
}
