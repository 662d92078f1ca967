/**
 * The CLI's client of the daemon's API over its Unix socket. Never throws: a daemon that does
 * not answer is an outcome with the reason (no socket, refused, timed out, a bad answer).
 */
import { request, type IncomingMessage } from "node:http";

export type ApiAnswer =
  | { readonly ok: true; readonly status: number; readonly body: unknown }
  | { readonly ok: false; readonly reason: string };

const REASONS: Readonly<Record<string, string>> = {
  ENOENT: "no socket",
  ECONNREFUSED: "connection refused",
  EACCES: "permission denied",
};

export interface ApiCall {
  readonly method?: "GET" | "POST";
  readonly path: string;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

export function getJson(socketPath: string, path: string, timeoutMs: number): Promise<ApiAnswer> {
  return callJson(socketPath, { path, timeoutMs });
}

/** Reasons that mean "not listening yet": a daemon that just started opens its socket once its tasks are scheduled. */
const NOT_YET = new Set([REASONS.ENOENT, REASONS.ECONNREFUSED]);

/**
 * `callJson`, waiting up to `connectWaitMs` for a socket that is not there yet (a daemon that is
 * starting); any other outcome is returned at once.
 */
export async function callJsonWhenUp(socketPath: string, call: ApiCall, connectWaitMs: number): Promise<ApiAnswer> {
  const deadline = Date.now() + connectWaitMs;
  for (;;) {
    const answer = await callJson(socketPath, call);
    if (answer.ok || !NOT_YET.has(answer.reason) || Date.now() >= deadline) return answer;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One JSON request; the answer's body parsed (problem+json included). */
export function callJson(socketPath: string, call: ApiCall): Promise<ApiAnswer> {
  return new Promise((resolve) => {
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    const headers: Record<string, string> = { accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }), ...call.headers };
    const req = request({ socketPath, path: call.path, method: call.method ?? "GET", headers }, (res) => {
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
    req.setTimeout(call.timeoutMs, () => req.destroy(new Error(`no answer within ${call.timeoutMs} ms`)));
    req.on("error", (e: NodeJS.ErrnoException) => resolve({ ok: false, reason: REASONS[e.code ?? ""] ?? e.message }));
    req.end(body);
  });
}

/**
 * A streamed GET (a followed run log): `onData` gets each chunk as it arrives; resolves when
 * the daemon ends the answer (or with the reason it could not be read). Aborting `signal`
 * closes the connection: only the client stops, whatever it was following goes on.
 */
export function streamText(socketPath: string, path: string, onData: (chunk: Buffer) => void, signal?: AbortSignal): Promise<{ readonly ok: true; readonly status: number } | { readonly ok: false; readonly reason: string }> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path, method: "GET", headers: { accept: "text/plain" }, signal }, (res: IncomingMessage) => {
      if ((res.statusCode ?? 0) >= 400) {
        let text = "";
        res.setEncoding("utf8").on("data", (d: string) => (text += d));
        res.on("end", () => resolve({ ok: false, reason: problemDetail(text) ?? `HTTP ${res.statusCode}` }));
        return;
      }
      res.on("data", onData);
      res.on("end", () => resolve({ ok: true, status: res.statusCode ?? 0 }));
      res.on("error", (e) => resolve({ ok: false, reason: e.message }));
    });
    req.on("error", (e: NodeJS.ErrnoException) => resolve({ ok: false, reason: e.name === "AbortError" ? "stopped following" : (REASONS[e.code ?? ""] ?? e.message) }));
    req.end();
  });
}

function problemDetail(text: string): string | null {
  try {
    const d = (JSON.parse(text) as { detail?: unknown }).detail;
    return typeof d === "string" ? d : null;
  } catch {
    return null;
  }
}
