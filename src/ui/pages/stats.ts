import type { TaskStats } from "../../api/daily-stats.js";
import { html, seg, type Html } from "../html.js";
import { duration } from "../format.js";

/** Per task and local day: runs, failures, average and longest duration, with a small bar chart (failures in red). */
export function statsPage(stats: readonly TaskStats[], days: number, svc: string | undefined, services: readonly string[]): Html {
  const option = (v: string, label: string, selected: boolean) => html`<option value="${v}" ${selected ? html`selected` : ""}>${label}</option>`;
  return html`<h1>Statistics</h1>
<form class="filters" method="get" action="/stats">
<label>Service<select name="svc">${option("", "all", svc === undefined)}${services.map((s) => option(s, s, s === svc))}</select></label>
<label>Days<select name="days">${[7, 30, 90].map((d) => option(String(d), `last ${d} days`, d === days))}</select></label>
<button type="submit" class="primary">Show</button>
</form>
${stats.length === 0 ? html`<p class="muted">No task.</p>` : stats.map(taskStats)}`;
}

function taskStats(t: TaskStats): Html {
  const ran = t.days.filter((d) => d.count > 0);
  const total = ran.reduce((n, d) => n + d.count, 0);
  const failures = ran.reduce((n, d) => n + d.failures, 0);
  const longest = Math.max(0, ...ran.map((d) => d.maxDurationMs ?? 0));
  return html`<section class="card" aria-labelledby="st-${t.svc}-${t.rid}">
<h2 id="st-${t.svc}-${t.rid}"><a href="/services/${seg(t.svc)}">${t.svc}</a> ${t.rid} <span class="small muted">(days in ${t.timezone})</span></h2>
<p class="small">${total} run${total === 1 ? "" : "s"}, ${failures} failed, longest ${duration(ran.length === 0 ? null : longest)}</p>
${chart(t)}
<details><summary class="small">Per day</summary><div class="table-wrap"><table>
<thead><tr><th scope="col">Day</th><th scope="col">Runs</th><th scope="col">Failures</th><th scope="col">Average</th><th scope="col">Longest</th></tr></thead>
<tbody>${[...t.days].reverse().filter((d) => d.count > 0).map((d) => html`<tr><th scope="row">${d.date}</th><td>${d.count}</td><td>${d.failures > 0 ? html`<span class="status s-failed">${d.failures}</span>` : "0"}</td><td>${duration(d.avgDurationMs === null ? null : Math.round(d.avgDurationMs))}</td><td>${duration(d.maxDurationMs)}</td></tr>`)}</tbody>
</table></div></details>
</section>`;
}

/** Inline SVG: one bar per day (height: runs), its failed part red; a title per bar for hover and screen readers. */
function chart(t: TaskStats): Html {
  const W = 640;
  const H = 90;
  const n = Math.max(1, t.days.length);
  const bw = W / n;
  const max = Math.max(1, ...t.days.map((d) => d.count));
  const bars = t.days.map((d, i) => {
    const h = (d.count / max) * (H - 14);
    const fh = (d.failures / max) * (H - 14);
    const x = i * bw + 1;
    return html`<g><title>${d.date}: ${d.count} runs, ${d.failures} failed</title><rect class="bar" x="${x.toFixed(1)}" y="${(H - 12 - h).toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${h.toFixed(1)}"></rect>${d.failures > 0 ? html`<rect class="fail" x="${x.toFixed(1)}" y="${(H - 12 - fh).toFixed(1)}" width="${Math.max(1, bw - 2).toFixed(1)}" height="${fh.toFixed(1)}"></rect>` : ""}</g>`;
  });
  const first = t.days[0]?.date ?? "";
  const last = t.days[t.days.length - 1]?.date ?? "";
  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="Runs per day of ${t.svc} ${t.rid}, failures in red">${bars}<text x="0" y="${H - 1}">${first}</text><text x="${W}" y="${H - 1}" text-anchor="end">${last}</text><text x="2" y="10">max ${max}/day</text></svg>`;
}
