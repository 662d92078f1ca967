import { html, type Html } from "./html.js";

/** How values look on the pages: statuses with a symbol and a word, times in a zone with its offset and relative. */
const SYMBOLS: Readonly<Record<string, string>> = {
  succeeded: "✓", failed: "✗", timed_out: "⏱", running: "●", skipped: "↷", missed: "⊘", aborted: "■", interrupted: "↯",
  up: "▲", down: "▼", warn: "!", "n/a": "–", stdby: "◐",
};

export function statusSymbol(status: string): string {
  return SYMBOLS[status] ?? "•";
}

export function statusBadge(status: string): Html {
  return html`<span class="status s-${status}"><span aria-hidden="true">${SYMBOLS[status] ?? "•"}</span>${status.replace("_", " ")}</span>`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZoneName: "longOffset" });
    formatters.set(zone, f);
  }
  return f;
}

/** `2026-12-07 22:50:03 +01:00` in `zone`. */
export function zonedTime(ms: number, zone: string): string {
  const parts = Object.fromEntries(formatter(zone).formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const offset = (parts.timeZoneName ?? "GMT").replace(/^GMT$/, "GMT+00:00").replace("GMT", "");
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}:${parts.second} ${offset}`;
}

export function relative(ms: number, now: number): string {
  const s = Math.round((ms - now) / 1000);
  const a = Math.abs(s);
  if (a < 2) return "now";
  const [n, unit] = a < 60 ? [a, "s"] : a < 3600 ? [Math.round(a / 60), "min"] : a < 86400 ? [Math.round(a / 3600), "h"] : [Math.round(a / 86400), "d"];
  return s >= 0 ? `in ${n} ${unit}` : `${n} ${unit} ago`;
}

/** A time element: the zoned time, and the relative time beside it (kept current by the page's script). */
export function timeCell(ms: number | null, zone: string, now: number): Html {
  if (ms === null) return html`<span class="muted">–</span>`;
  return html`<time datetime="${new Date(ms).toISOString()}" data-rel>${zonedTime(ms, zone)}</time><span class="rel">(${relative(ms, now)})</span>`;
}

export function duration(ms: number | null): string {
  if (ms === null) return "–";
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(ms / 60_000);
  return m < 60 ? `${m} min ${Math.round((ms % 60_000) / 1000)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** Task output without terminal colour and cursor sequences (never interpreted, shown as text). */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[@-Z\\-_]/g, "");
}
