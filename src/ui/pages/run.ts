import type { RunRecord } from "../../core/run-record.js";
import { html, seg, type Html } from "../html.js";
import { duration, statusBadge, stripAnsi, timeCell } from "../format.js";
import { notice } from "../layout.js";

export interface RunPageInput {
  readonly record: RunRecord;
  readonly zone: string;
  /** The output so far (or its start, when long). */
  readonly output: string;
  /** Bytes of output shown: live output continues from there. */
  readonly offset: number;
  readonly truncatedView: boolean;
  readonly csrf: string;
  readonly canStop: boolean;
  readonly now: number;
  readonly message?: { readonly kind: "ok" | "error"; readonly text: string };
}

/** A run: its record, who started it, and its output — followed live (SSE, escaped text) while it runs. */
export function runPage(p: RunPageInput): Html {
  const r = p.record;
  const live = r.status === "running";
  return html`<div>
<h1>Run #${r.id}: <a href="/services/${seg(r.svc)}">${r.svc}</a> ${r.rid} <span id="run-status">${statusBadge(r.status)}</span></h1>
${notice(p.message?.kind ?? "ok", p.message?.text)}
<div class="card"><dl class="record">
<dt>Started</dt><dd>${timeCell(r.startedAt, p.zone, p.now)}</dd>
<dt>Ended</dt><dd>${timeCell(r.endedAt, p.zone, p.now)}</dd>
<dt>Duration</dt><dd>${duration(r.durationMs)}</dd>
<dt>Exit</dt><dd>${r.exitCode ?? "–"}${r.signal === null ? "" : ` (signal ${r.signal})`}</dd>
${r.reason === null ? "" : html`<dt>Reason</dt><dd>${r.reason}</dd>`}
<dt>Trigger</dt><dd>${r.trigger}${r.scheduledFor === null ? "" : html`, slot ${timeCell(r.scheduledFor, p.zone, p.now)}`}${r.attempt > 1 ? `, attempt ${r.attempt}` : ""}</dd>
<dt>Started by</dt><dd>${r.initiatedBy ?? "–"}</dd>
<dt>Ran as</dt><dd>${r.user ?? "–"}${r.node === null ? "" : ` on ${r.node}`}</dd>
<dt>Command</dt><dd><code>${r.command ?? "–"}</code></dd>
<dt>Output</dt><dd>${r.outputBytes} bytes${r.truncated ? " (middle cut, as output_max says)" : ""}</dd>
</dl>
${live && p.canStop ? html`<form method="post" action="/runs/${r.id}/stop" class="inline"><input type="hidden" name="csrf" value="${p.csrf}"><button type="submit" class="danger">Stop</button></form>` : ""}
</div>
<h2>Output</h2>
${p.truncatedView ? html`<p class="small muted">The start of a long output; the whole file is at <a href="/api/v1/runs/${r.id}/log">/api/v1/runs/${r.id}/log</a>.</p>` : ""}
<pre id="log" class="log" tabindex="0" aria-label="Output of run ${r.id}" ${live ? html`data-live="/runs/${r.id}/live?offset=${p.offset}"` : ""}>${stripAnsi(p.output)}</pre>
</div>`;
}
