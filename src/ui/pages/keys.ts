import type { KeyView } from "../../api/key-admin.js";
import { html, type Html } from "../html.js";
import { notice } from "../layout.js";
import { timeCell } from "../format.js";

export interface KeysPageInput {
  readonly keys: readonly KeyView[];
  readonly csrf: string;
  readonly now: number;
  readonly zone: string;
  /** A key just created: shown once, here, never again. */
  readonly created?: { readonly name: string; readonly text: string };
  readonly message?: { readonly kind: "ok" | "error"; readonly text: string };
}

/** API keys (admin): create (the key shown once), list (never a secret), revoke. */
export function keysPage(p: KeysPageInput): Html {
  return html`<h1>API keys</h1>
${notice(p.message?.kind ?? "ok", p.message?.text)}
${p.created === undefined ? "" : html`<div class="card" role="status"><p>Key <strong>${p.created.name}</strong> created. Copy it now: it is shown this once and cannot be read back.</p><p class="key mono" id="new-key">${p.created.text}</p></div>`}
<div class="table-wrap"><table>
<thead><tr><th scope="col">Name</th><th scope="col">Scope</th><th scope="col">Services</th><th scope="col">State</th><th scope="col" class="wide">Created</th><th scope="col" class="wide">Expires</th><th scope="col">Last use</th><th scope="col">Action</th></tr></thead>
<tbody>${p.keys.map((k) => html`<tr data-key="${k.name}">
<th scope="row">${k.name}</th><td>${k.scope}</td><td>${k.services.length === 0 ? "all" : k.services.join(", ")}</td>
<td><span class="status s-${k.state === "active" ? "succeeded" : "failed"}">${k.state}</span></td>
<td class="wide small">${timeCell(k.createdAt, p.zone, p.now)} <span class="muted">by ${k.createdBy}</span></td>
<td class="wide small">${k.expiresAt === null ? "never" : timeCell(k.expiresAt, p.zone, p.now)}</td>
<td class="small">${k.lastUsedAt === null ? "never" : timeCell(k.lastUsedAt, p.zone, p.now)}</td>
<td>${k.state === "revoked" ? "" : html`<form method="post" action="/keys/revoke" class="inline"><input type="hidden" name="csrf" value="${p.csrf}"><input type="hidden" name="name" value="${k.name}"><button type="submit" class="danger">Revoke</button></form>`}</td>
</tr>`)}</tbody></table></div>
<h2>Create a key</h2>
<form method="post" action="/keys" class="filters">
<input type="hidden" name="csrf" value="${p.csrf}">
<label for="k-name">Name<input id="k-name" name="name" required pattern="[A-Za-z0-9][A-Za-z0-9._-]{0,63}" size="14"></label>
<label for="k-scope">Scope<select id="k-scope" name="scope"><option value="read">read</option><option value="run">run</option><option value="admin">admin</option></select></label>
<label for="k-services">Services (globs, comma list; empty: all)<input id="k-services" name="services" size="20" placeholder="web*,prod/svc/db"></label>
<label for="k-expires">Expires after (empty: never)<input id="k-expires" name="expires" size="8" placeholder="30d"></label>
<button type="submit" class="primary">Create</button>
</form>`;
}
