import type { RunRecord } from "../../core/run-record.js";
import { RUN_STATUSES, RUN_TRIGGERS } from "../../core/run-record.js";
import { html, query, seg, type Html } from "../html.js";
import { duration, statusBadge, timeCell } from "../format.js";

export interface HistoryFilters {
  readonly svc?: string;
  readonly rid?: string;
  readonly status?: string;
  readonly trigger?: string;
  readonly since?: string;
  readonly until?: string;
}

export interface HistoryPageInput {
  readonly filters: HistoryFilters;
  readonly services: readonly string[];
  readonly records: readonly RunRecord[];
  readonly next: string | null;
  readonly zoneOf: (svc: string, rid: string) => string;
  readonly now: number;
}

/** Run records, newest first, with filters (a GET form: the URL is the state) and paging. */
export function historyPage(p: HistoryPageInput): Html {
  const f = p.filters;
  const option = (value: string, selected: string | undefined, label = value) => html`<option value="${value}" ${value === (selected ?? "") ? html`selected` : ""}>${label}</option>`;
  return html`<h1>History</h1>
<form class="filters" method="get" action="/history" role="search">
<label>Service<select name="svc">${option("", f.svc, "all")}${p.services.map((s) => option(s, f.svc))}</select></label>
<label>Task<input name="rid" value="${f.rid ?? ""}" placeholder="task#0" size="10"></label>
<label>Status<select name="status">${option("", f.status, "any")}${RUN_STATUSES.map((s) => option(s, f.status))}</select></label>
<label>Trigger<select name="trigger">${option("", f.trigger, "any")}${RUN_TRIGGERS.map((s) => option(s, f.trigger))}</select></label>
<label>Since<input type="datetime-local" name="since" value="${f.since ?? ""}"></label>
<label>Until<input type="datetime-local" name="until" value="${f.until ?? ""}"></label>
<button type="submit" class="primary">Filter</button> <a href="/history">Clear</a>
</form>
${p.records.length === 0 ? html`<p class="muted">No run matches.</p>` : html`<div class="table-wrap"><table>
<thead><tr><th scope="col">Run</th><th scope="col">Task</th><th scope="col">Status</th><th scope="col">Started</th><th scope="col">Duration</th><th scope="col" class="wide">Trigger</th><th scope="col" class="wide">By</th></tr></thead>
<tbody>${p.records.map((r) => html`<tr>
<th scope="row"><a href="/runs/${r.id}">#${r.id}</a></th>
<td><a href="/services/${seg(r.svc)}">${r.svc}</a> ${r.rid}</td>
<td>${statusBadge(r.status)}${r.exitCode !== null && r.status !== "succeeded" ? html` <span class="small">exit ${r.exitCode}</span>` : ""}</td>
<td class="small">${timeCell(r.startedAt, p.zoneOf(r.svc, r.rid), p.now)}</td>
<td>${duration(r.durationMs)}</td><td class="wide">${r.trigger}</td><td class="wide">${r.initiatedBy ?? "–"}</td></tr>`)}</tbody>
</table></div>`}
<nav class="pager" aria-label="Pages">${p.next === null ? "" : html`<a href="/history${query({ ...f, cursor: p.next })}" rel="next">Older runs →</a>`}</nav>`;
}
