import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/**
 * The web UI's vendored htmx, read once from the installed package (`htmx.org`), shipped with
 * svcmgr: the pages load it from the daemon, never from a CDN, so the UI works air-gapped.
 */
export function readUiVendor(): Record<"htmx.min.js", string> {
  const req = createRequire(import.meta.url);
  return { "htmx.min.js": readFileSync(req.resolve("htmx.org/dist/htmx.min.js"), "utf8") };
}
