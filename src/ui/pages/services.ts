import type { ServiceSummary } from "../../api/backend.js";
import { html, seg, type Html } from "../html.js";
import { statusBadge } from "../format.js";

/** Services the session's key covers: instance state, tasks, how many fail. */
export function servicesPage(services: readonly ServiceSummary[]): Html {
  if (services.length === 0) return html`<h1>Services</h1><p class="muted">No service this key covers is configured on this node.</p>`;
  // htmx refreshes the table every 10 s (the same page, this region only).
  return html`<h1>Services</h1>
<div class="table-wrap" id="services" hx-get="/" hx-select="#services" hx-trigger="every 10s" hx-swap="outerHTML"><table>
<thead><tr><th scope="col">Service</th><th scope="col">State</th><th scope="col">Tasks</th><th scope="col">Failing</th><th scope="col" class="wide">Configuration</th></tr></thead>
<tbody>${services.map(row)}</tbody>
</table></div>`;
}

function row(s: ServiceSummary): Html {
  const failing = s.failing ?? 0;
  return html`<tr>
<th scope="row"><a href="/services/${seg(s.path)}">${s.path}</a></th>
<td>${s.state === null ? html`<span class="muted">–</span>` : statusBadge(s.state)}</td>
<td>${s.tasks}</td>
<td>${failing > 0 ? html`<span class="status s-failed"><span aria-hidden="true">✗</span>${failing} failing</span>` : html`<span class="muted">none</span>`}</td>
<td class="wide">${s.valid ? html`<span class="muted">valid</span>` : html`<span class="status s-failed">invalid</span> <span class="small">${(s.errors ?? []).join("; ")}</span>`}</td>
</tr>`;
}
