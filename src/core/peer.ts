/** Who is at the other end of an API connection, as the platform's server saw it. */
export interface Peer {
  readonly transport: "unix" | "tcp";
  /** Unix socket: the peer's uid from SO_PEERCRED (null when it could not be read). TCP: null. */
  readonly uid: number | null;
  /** TCP: the remote address and port; Unix: the socket path. */
  readonly address: string;
}

/** An HTTP API as a fetch handler: what the platform's server serves. */
export interface FetchHandler {
  fetch(request: Request, peer: Peer): Promise<Response>;
}
