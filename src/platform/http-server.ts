/**
 * The daemon's HTTP server on its Unix socket, `<var>/daemon.sock` (design §11). Small on
 * purpose: a table of exact `METHOD /path` routes answering JSON, which the full API replaces.
 *
 * Invariants:
 * - the socket is mode 0600 in the root-owned var dir: only root and the daemon's user connect
 *   (no key needed on it yet, as nothing there changes state);
 * - a stale socket file (a daemon that died) is replaced; the caller holds the daemon lock, so
 *   no live daemon owns it;
 * - errors are `application/problem+json` (`type`, `title`, `status`, `detail`); a handler that
 *   throws gives 500 and never takes the daemon down.
 */
import { chmodSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

/** `"GET /api/v1/health"` → a handler returning the JSON body. */
export type Routes = Readonly<Record<string, () => unknown>>;

export interface ApiServer {
  readonly socketPath: string;
  close(): Promise<void>;
}

const JSON_TYPE = "application/json";

function send(res: ServerResponse, status: number, body: unknown, type = JSON_TYPE): void {
  const text = JSON.stringify(body, null, 2) + "\n";
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(text), "cache-control": "no-store" });
  res.end(text);
}

function problem(res: ServerResponse, status: number, title: string, detail: string): void {
  send(res, status, { type: "about:blank", title, status, detail }, "application/problem+json");
}

function handle(routes: Routes, req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? "/").split("?")[0]!;
  const route = routes[`${req.method ?? "GET"} ${path}`];
  if (route !== undefined) {
    try {
      send(res, 200, route());
    } catch (e) {
      problem(res, 500, "Internal Server Error", (e as Error).message);
    }
    return;
  }
  const methods = Object.keys(routes).filter((k) => k.endsWith(` ${path}`)).map((k) => k.split(" ")[0]!);
  if (methods.length > 0) {
    res.setHeader("allow", methods.join(", "));
    return problem(res, 405, "Method Not Allowed", `${req.method} ${path}: allowed ${methods.join(", ")}`);
  }
  problem(res, 404, "Not Found", `no route ${req.method} ${path}`);
}

/** Listens on `socketPath` (mode 0600); resolves once it accepts connections. */
export function startApiServer(socketPath: string, routes: Routes): Promise<ApiServer> {
  rmSync(socketPath, { force: true });
  const server = createServer((req, res) => handle(routes, req, res));
  server.keepAliveTimeout = 1000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => {
      server.off("error", reject);
      try {
        chmodSync(socketPath, 0o600);
      } catch (e) {
        server.close();
        return reject(e);
      }
      resolve({
        socketPath,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
            rmSync(socketPath, { force: true });
          }),
      });
    });
  });
}
