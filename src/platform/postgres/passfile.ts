import { readFileSync, statSync } from "node:fs";
import { HistoryError } from "../../history/errors.js";

/** What a password file line is matched against. */
export interface PassfileTarget {
  readonly host: string;
  readonly port: string;
  readonly database: string;
  readonly user: string;
}

/** One line's fields: `\:` and `\\` are escapes; an unescaped `:` separates. */
function fields(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === "\\" && i + 1 < line.length) cur += line[++i];
    else if (c === ":") {
      out.push(cur);
      cur = "";
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/**
 * The password for `target` in a password file's text (PostgreSQL's format, as psql reads it:
 * `host:port:database:username:password` per line, `*` matching anything, `#` comments); the
 * first matching line wins. Null when none matches.
 */
export function passwordFromText(text: string, target: PassfileTarget): string | null {
  const want = [target.host, target.port, target.database, target.user];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === "" || line.startsWith("#")) continue;
    const f = fields(line);
    if (f.length < 5) continue;
    if (want.every((w, i) => f[i] === "*" || f[i] === w)) return f.slice(4).join(":");
  }
  return null;
}

/**
 * The password for `target` from the password file `file`, named by the store URL (`passfile=`).
 * Like psql, a file that group or others may read is not used: here it is an error saying so.
 */
export function passwordFromFile(file: string, target: PassfileTarget): string | null {
  let text: string;
  try {
    const mode = statSync(file).mode & 0o777;
    if ((mode & 0o077) !== 0) throw new HistoryError(`history store password file ${file} may be read by group or others (mode ${mode.toString(8).padStart(4, "0")}): chmod 600 it`);
    text = readFileSync(file, "utf8");
  } catch (e) {
    if (e instanceof HistoryError) throw e;
    throw new HistoryError(`history store password file ${file} cannot be read: ${(e as Error).message}`);
  }
  return passwordFromText(text, target);
}

/**
 * A store URL naming a password file (`?passfile=FILE`, libpq's parameter) and no password: the
 * driver's password callback reading it, matched against the URL's host, port, database and
 * user (PG* variables and the defaults filling what the URL leaves out). Undefined otherwise:
 * the driver then uses PGPASSWORD or PGPASSFILE/~/.pgpass itself.
 */
export function passfilePassword(url: string, env: Readonly<Record<string, string | undefined>>, osUser: string): (() => string) | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  const file = u.searchParams.get("passfile");
  if (file === null || u.password !== "") return undefined;
  const user = decodeURIComponent(u.username) || env.PGUSER || osUser;
  const target: PassfileTarget = {
    host: u.hostname || u.searchParams.get("host") || env.PGHOST || "localhost",
    port: u.port || env.PGPORT || "5432",
    database: decodeURIComponent(u.pathname.replace(/^\//, "")) || env.PGDATABASE || user,
    user,
  };
  return () => {
    const password = passwordFromFile(file, target);
    if (password === null) throw new HistoryError(`history store password file ${file} has no line for ${target.host}:${target.port}:${target.database}:${target.user}`);
    return password;
  };
}
