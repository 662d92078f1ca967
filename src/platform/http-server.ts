/**
 * Serves the daemon's API (api/create-api.ts, a fetch handler) over Node's HTTP server: always on
 * the Unix socket `<var>/daemon.sock`, and on TCP when asked (TLS with a certificate and key).
 *
 * Invariants:
 * - the socket's peer is known from the kernel (SO_PEERCRED through the native addon): mode 0660,
 *   so that other users can reach it and present a key. Without the addon the peer's uid cannot
 *   be read: the socket is then mode 0600 (only its owner can connect), and its owner is the peer;
 * - a stale socket file (a daemon that died) is replaced; the caller holds the daemon lock, so
 *   no live daemon owns it;
 * - slow or idle clients cannot hold the server: headers within 10 s, a request body within
 *   30 s, idle keep-alive connections closed after 5 s; past MAX_CONNECTIONS new connections
 *   are refused by the kernel's backlog, not by a crash.
 */
import { chmodSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { Socket } from "node:net";
import { getRequestListener } from "@hono/node-server";
import type { FetchHandler as Api, Peer } from "../core/peer.js";
import { nativeAddon } from "./native-addon.js";

export type Listener =
  | { readonly kind: "unix"; readonly path: string }
  | { readonly kind: "tcp"; readonly host: string; readonly port: number; readonly tls?: { readonly certFile: string; readonly keyFile: string } };

export interface ApiServer {
  /** Where it listens, one line each (`unix:/…/daemon.sock`, `https://127.0.0.1:7443`). */
  readonly addresses: readonly string[];
  close(): Promise<void>;
}

const MAX_CONNECTIONS = 2048;
const BACKLOG = 4096;

/** Listens on every listener; resolves once all accept connections (rejects, closing the others, if one cannot). */
export async function startApiServer(listeners: readonly Listener[], api: Api): Promise<ApiServer> {
  const servers: { server: Server; address: string; cleanup?: () => void }[] = [];
  try {
    for (const l of listeners) servers.push(await listen(l, api));
  } catch (e) {
    await Promise.all(servers.map((s) => closeServer(s.server, s.cleanup)));
    throw e;
  }
  return {
    addresses: servers.map((s) => s.address),
    close: async () => void (await Promise.all(servers.map((s) => closeServer(s.server, s.cleanup)))),
  };
}

async function listen(l: Listener, api: Api): Promise<{ server: Server; address: string; cleanup?: () => void }> {
  const peerOf = l.kind === "unix" ? unixPeer(l.path) : tcpPeer;
  const handler = getRequestListener((request, env) => api.fetch(request, peerOf((env as { incoming: IncomingMessage }).incoming.socket)), {
    errorHandler: () => new Response(JSON.stringify({ type: "about:blank", title: "Internal Server Error", status: 500, detail: "the daemon could not answer" }), { status: 500, headers: { "content-type": "application/problem+json" } }),
  });
  const onRequest = (req: IncomingMessage, res: ServerResponse) => void handler(req, res);
  const server = l.kind === "tcp" && l.tls !== undefined
    ? createTlsServer({ cert: readFileSync(l.tls.certFile), key: readFileSync(l.tls.keyFile), minVersion: "TLSv1.2" }, onRequest)
    : createServer(onRequest);
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  server.maxConnections = MAX_CONNECTIONS;
  if (l.kind === "unix") rmSync(l.path, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    const done = () => {
      server.off("error", reject);
      resolve();
    };
    // A deep accept queue: a burst of clients waits for the event loop instead of being refused.
    if (l.kind === "unix") server.listen({ path: l.path, backlog: BACKLOG }, done);
    else server.listen({ port: l.port, host: l.host, backlog: BACKLOG }, done);
  });
  if (l.kind === "unix") {
    try {
      chmodSync(l.path, nativeAddon() === null ? 0o600 : 0o660);
    } catch (e) {
      await closeServer(server);
      throw e;
    }
    return { server, address: `unix:${l.path}`, cleanup: () => rmSync(l.path, { force: true }) };
  }
  const a = server.address();
  const port = typeof a === "object" && a !== null ? a.port : l.port;
  const host = l.host.includes(":") ? `[${l.host}]` : l.host;
  return { server, address: `${l.tls === undefined ? "http" : "https"}://${host}:${port}` };
}

function closeServer(server: Server, cleanup?: () => void): Promise<void> {
  return new Promise<void>((done) => {
    server.close(() => done());
    server.closeAllConnections();
    cleanup?.();
  });
}

/** The socket's peer: its uid from the kernel, read once per connection. */
function unixPeer(path: string): (socket: Socket) => Peer {
  const seen = new WeakMap<Socket, Peer>();
  const owner = typeof process.getuid === "function" ? process.getuid() : null;
  return (socket) => {
    let peer = seen.get(socket);
    if (peer === undefined) {
      seen.set(socket, (peer = { transport: "unix", uid: peerUid(socket, owner), address: path }));
    }
    return peer;
  };
}

function peerUid(socket: Socket, owner: number | null): number | null {
  const addon = nativeAddon();
  // Without the addon the socket is mode 0600: only its owner can have connected.
  if (addon === null) return owner;
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (typeof fd !== "number" || fd < 0) return null;
  try {
    return addon.peerCred(fd)[1];
  } catch {
    return null;
  }
}

function tcpPeer(socket: Socket): Peer {
  return { transport: "tcp", uid: null, address: `${socket.remoteAddress ?? "?"}:${socket.remotePort ?? "?"}` };
}
