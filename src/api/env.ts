import type { Principal } from "./principal.js";
import type { Peer } from "../core/peer.js";

export type { Peer };


/** The Hono environment of every route: the peer (bindings) and the authenticated principal. */
export interface ApiEnv {
  Bindings: { peer: Peer };
  Variables: { principal: Principal | undefined };
}
