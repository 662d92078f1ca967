import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

/**
 * The web UI's vendored scripts, read once from the installed packages (`htmx.org`, and its
 * SSE extension `htmx-ext-sse`), shipped with svcmgr: the pages load them from the daemon, never
 * from a CDN, so the UI works air-gapped.
 */
export function readUiVendor(): Record<"htmx.min.js" | "sse.js", string> {
  const req = createRequire(import.meta.url);
  return {
    "htmx.min.js": readFileSync(req.resolve("htmx.org/dist/htmx.min.js"), "utf8"),
    "sse.js": readFileSync(req.resolve("htmx-ext-sse/dist/sse.min.js"), "utf8"),
  };
}
