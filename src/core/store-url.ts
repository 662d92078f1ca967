/**
 * History store locations: `sqlite` (the embedded file, the default) or a PostgreSQL URL.
 * A URL may carry a password (`postgresql://user:secret@host/db`); it is never shown: every
 * text meant for a person goes through `maskPassword`.
 */

const POSTGRES_SCHEMES = ["postgresql:", "postgres:"];

/** True for a `postgresql://` (or `postgres://`) URL. */
export function isPostgresUrl(text: string): boolean {
  return POSTGRES_SCHEMES.some((s) => text.toLowerCase().startsWith(`${s}//`));
}

/** Null when `text` names a store svcmgr can use (`sqlite` or a PostgreSQL URL), else what is wrong with it. */
export function checkStoreUrl(text: string): string | null {
  if (text === "sqlite") return null;
  if (!isPostgresUrl(text)) return "unknown store";
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "not a valid URL";
  }
  if (url.hostname === "" && !url.searchParams.has("host")) return "no host";
  return null;
}

/** The PostgreSQL URL of a store setting, or null for the embedded store. */
export function postgresUrlOf(store: string | null | undefined): string | null {
  return store !== null && store !== undefined && isPostgresUrl(store) ? store : null;
}

/**
 * The URL with its password (and a `password=` query parameter) replaced by `***`; text that
 * is not a URL comes back unchanged. Done on the text itself, so an unparsable URL is masked too.
 */
export function maskPassword(text: string): string {
  return text
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):[^/?#\s]*@/i, "$1:***@") // to the last @ of the authority
    .replace(/([?&]password=)[^&#\s]*/gi, "$1***");
}

/** Every occurrence of `url` (and of its password alone) in `text` masked: for driver errors that echo it. */
export function maskIn(text: string, url: string): string {
  const password = passwordOf(url);
  let out = text.split(url).join(maskPassword(url));
  if (password !== null && password.length >= 3) out = out.split(password).join("***");
  return out;
}

function passwordOf(url: string): string | null {
  try {
    const u = new URL(url);
    const pw = u.password !== "" ? decodeURIComponent(u.password) : u.searchParams.get("password");
    return pw === null || pw === "" ? null : pw;
  } catch {
    return null;
  }
}
