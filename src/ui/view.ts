import type { Context } from "hono";
import type { Peer } from "../core/peer.js";
import type { Html } from "./html.js";
import { page, type Section } from "./layout.js";
import type { WebSession } from "./sessions.js";

/** The UI's Hono environment: the connection's peer, and the request's session (null: logged out). */
export type UiEnv = { Bindings: { peer: Peer }; Variables: { session: WebSession | null } };

/** A full page in the shell, for the request's session. */
export function show(c: Context<UiEnv>, title: string, section: Section, body: Html, status: 200 | 403 | 404 = 200): Response {
  return c.html(page(title, section, c.get("session"), body).text, status);
}
