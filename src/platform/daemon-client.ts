/**
 * A JSON GET over the daemon's Unix socket, for the CLI. Never throws: a daemon that does not
 * answer is an outcome with the reason (no socket, refused, timed out, a bad answer).
 */
import { request } from "node:http";

export type ApiAnswer =
  | { readonly ok: true; readonly status: number; readonly body: unknown }
  | { readonly ok: false; readonly reason: string };

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: "no socket",
  ECONNREFUSED: "connection refused",
  EACCES: "permission denied",
};

export function getJson(socketPath: string, path: string, timeoutMs: number): Promise<ApiAnswer> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path, method: "GET", headers: { accept: "application/json" } }, (res) => {
      let text = "";
      res.setEncoding("utf8").on("data", (d: string) => (text += d));
      res.on("end", () => {
        try {
          resolve({ ok: true, status: res.statusCode ?? 0, body: JSON.parse(text) as unknown });
        } catch {
          resolve({ ok: false, reason: `not a JSON answer (HTTP ${res.statusCode})` });
        }
      });
      res.on("error", (e) => resolve({ ok: false, reason: e.message }));
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (e: NodeJS.ErrnoException) => resolve({ ok: false, reason: REASONS[e.code ?? ""] ?? e.message }));
    req.end();
  });
}
