import { readFileSync, statSync } from "node:fs";
import type { GroupInfo, UserDb, UserInfo } from "../core/ports.js";

/** Where the passwd and group databases are read from. */
export interface UserDbFiles {
  /** @default "/etc/passwd" */
  readonly passwd: string;
  /** @default "/etc/group" */
  readonly group: string;
}

const DEFAULT_FILES: UserDbFiles = { passwd: "/etc/passwd", group: "/etc/group" };

/**
 * The passwd and group files as a UserDb. Each lookup stats the file (one syscall) and
 * re-reads it only when its identity (inode, size, mtime) changed, so edits by useradd or
 * groupadd are seen at the next lookup. A missing or unreadable file reads as empty.
 * Only the files are consulted (no NSS: LDAP or sssd users are not visible here).
 */
export function createUserDb(files: UserDbFiles = DEFAULT_FILES): UserDb {
  const users = cachedFile(files.passwd, parsePasswd);
  const groups = cachedFile(files.group, parseGroup);
  return {
    user: (nameOrUid) => findEntry(users(), nameOrUid, (u) => u.uid),
    group: (nameOrGid) => findEntry(groups(), nameOrGid, (g) => g.gid),
    supplementaryGids: (user) => {
      const gids = groups().filter((g) => g.members.includes(user)).map((g) => g.gid);
      return [...new Set(gids)];
    },
  };
}

/** A name match wins over a numeric id match (a name may be all digits). First entry wins. */
function findEntry<T extends { name: string }>(entries: readonly T[], key: string, id: (e: T) => number): T | null {
  const byName = entries.find((e) => e.name === key);
  if (byName) return byName;
  if (!/^\d+$/.test(key)) return null;
  const n = Number(key);
  return entries.find((e) => id(e) === n) ?? null;
}

function cachedFile<T>(path: string, parse: (text: string) => T[]): () => readonly T[] {
  let stamp = "";
  let entries: T[] = [];
  return () => {
    const current = fileStamp(path);
    if (current !== stamp) {
      stamp = current;
      entries = current === "" ? [] : parse(readOrEmpty(path));
    }
    return entries;
  };
}

function fileStamp(path: string): string {
  try {
    const st = statSync(path, { bigint: true });
    return `${st.ino}:${st.size}:${st.mtimeNs}`;
  } catch {
    return "";
  }
}

function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

/** Data lines only: blank lines, `#` comments and NIS `+`/`-` compat lines are skipped. */
function dataLines(text: string): string[][] {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "" && !/^[#+-]/.test(l))
    .map((l) => l.replace(/\r$/, "").split(":"));
}

const isId = (s: string | undefined): s is string => s !== undefined && /^\d+$/.test(s);

/** `name:passwd:uid:gid:gecos:home:shell`; malformed lines are skipped. */
export function parsePasswd(text: string): UserInfo[] {
  const out: UserInfo[] = [];
  for (const f of dataLines(text)) {
    if (f.length < 7 || !f[0] || !isId(f[2]) || !isId(f[3])) continue;
    out.push({ name: f[0], uid: Number(f[2]), gid: Number(f[3]), home: f[5] ?? "", shell: f[6] ?? "" });
  }
  return out;
}

/** `name:passwd:gid:member,member`; malformed lines are skipped. */
export function parseGroup(text: string): GroupInfo[] {
  const out: GroupInfo[] = [];
  for (const f of dataLines(text)) {
    if (f.length < 4 || !f[0] || !isId(f[2])) continue;
    const members = (f[3] ?? "").split(",").map((m) => m.trim()).filter((m) => m !== "");
    out.push({ name: f[0], gid: Number(f[2]), members });
  }
  return out;
}
