import type { StatusReport } from "../../service/status-report.js";
import type { TaskView } from "../../api/backend.js";
import { describeSchedule } from "../../schedule/describe.js";
import { html, seg, type Html } from "../html.js";
import { duration, statusBadge, timeCell } from "../format.js";
import { notice } from "../layout.js";

export interface ServicePageInput {
  readonly svc: string;
  readonly status: StatusReport;
  readonly tasks: readonly TaskView[];
  readonly csrf: string;
  /** The key may run, suspend and resume. */
  readonly canRun: boolean;
  readonly now: number;
  readonly message?: { readonly kind: "ok" | "error"; readonly text: string };
}

/** A service: its resources as print status shows them, its tasks with their schedule, last and next run, and actions. */
export function servicePage(p: ServicePageInput): Html {
  return html`<h1>${p.svc} ${statusBadge(p.status.avail)}</h1>
${notice(p.message?.kind ?? "ok", p.message?.text)}
<h2>Tasks</h2>
<div class="table-wrap" id="tasks"><table>
<thead><tr><th scope="col">Task</th><th scope="col">Schedule</th><th scope="col">Last run</th><th scope="col">Next run</th>${p.canRun ? html`<th scope="col">Actions</th>` : ""}</tr></thead>
<tbody>${p.tasks.map((t) => taskRow(p, t))}</tbody>
</table></div>
<h2>Resources</h2>
<div class="table-wrap"><table>
<thead><tr><th scope="col">Resource</th><th scope="col">Driver</th><th scope="col">Status</th><th scope="col" class="wide">Flags</th><th scope="col" class="wide">Log</th></tr></thead>
<tbody>${p.status.resources.map((r) => html`<tr><th scope="row">${r.rid}</th><td>${r.driver}</td><td>${statusBadge(r.status)}</td>
<td class="wide small">${[r.disabled ? "disabled" : "", r.optional ? "optional" : "", r.standby ? "standby" : "", r.running > 0 ? `running ${r.running}` : ""].filter((x) => x !== "").join(", ") || "–"}</td>
<td class="wide small">${r.log.join("; ")}</td></tr>`)}</tbody>
</table></div>`;
}

function taskRow(p: ServicePageInput, t: TaskView): Html {
  const words = t.schedule === null ? null : describeSchedule(t.schedule);
  const suspended = t.suspended as { by?: string; at?: number } | null | undefined;
  const last = t.lastRun;
  const next = t.nextRun === null ? null : Date.parse(t.nextRun);
  return html`<tr data-rid="${t.rid}">
<th scope="row">${t.rid}${t.tags.length > 0 ? html`<div class="small muted">tags: ${t.tags.join(", ")}</div>` : ""}${t.confirmation ? html`<div class="small muted">asks for confirmation</div>` : ""}</th>
<td>${t.schedule === null ? html`<span class="muted">none</span>` : html`<code>${t.schedule}</code>${words === null ? "" : html`<div class="small">${words}</div>`}`}<div class="small muted">zone ${t.timezone}</div></td>
<td>${last === null ? html`<span class="muted">never</span>` : html`<a href="/runs/${last.id}">${statusBadge(last.status)}</a><div class="small">${timeCell(last.startedAt, t.timezone, p.now)}</div><div class="small muted">${duration(last.durationMs)}${last.exitCode === null ? "" : `, exit ${last.exitCode}`}</div>`}</td>
<td>${suspended != null ? html`<span class="status s-skipped"><span aria-hidden="true">⏸</span>suspended</span>${suspended.by === undefined ? "" : html`<div class="small muted">by ${suspended.by}</div>`}` : t.notScheduled !== null ? html`<span class="muted">not scheduled: ${t.notScheduled}</span>` : next === null ? html`<span class="muted">–</span>` : timeCell(next, t.timezone, p.now)}</td>
${p.canRun ? html`<td>${runForm(p, t)}${suspendForm(p, t, suspended != null)}</td>` : ""}
</tr>`;
}

function runForm(p: ServicePageInput, t: TaskView): Html {
  const id = `confirm-${t.rid}`;
  return html`<form method="post" action="/services/${seg(p.svc)}/run" class="run-form">
<input type="hidden" name="csrf" value="${p.csrf}"><input type="hidden" name="rid" value="${t.rid}">
${t.confirmation ? html`<label for="${id}" class="small">Type <code>${t.rid}</code> to confirm</label><br><input id="${id}" name="confirm" autocomplete="off" required size="12"> ` : ""}
<button type="submit" class="primary">Run now</button></form>`;
}

function suspendForm(p: ServicePageInput, t: TaskView, suspended: boolean): Html {
  if (t.schedule === null) return html``;
  return html`<form method="post" action="/services/${seg(p.svc)}/tasks/${seg(t.rid)}/${suspended ? "resume" : "suspend"}" class="inline">
<input type="hidden" name="csrf" value="${p.csrf}"><button type="submit">${suspended ? "Resume" : "Suspend"}</button></form>`;
}
