import type { Context, Hono } from "hono";
import type { ApiBackend } from "../api/backend.js";
import { coversService, hasScope } from "../api/principal.js";
import type { RunRecord } from "../core/run-record.js";
import { html, type Html } from "./html.js";
import { statusSymbol, stripAnsi } from "./format.js";
import { runPage } from "./pages/run.js";
import { sseEvent, utf8Boundary } from "../api/sse.js";
import { show, type UiEnv } from "./view.js";

/** Output shown on a run's page at first; the rest streams (or is a link away when the run is over). */
const FIRST_VIEW_BYTES = 256 * 1024;
const CHUNK = 64 * 1024;
const POLL_MS = 150;

/** A run's page, its live output (SSE of escaped HTML fragments), and stop. */
export function runRoutes(ui: Hono<UiEnv>, backend: ApiBackend): void {
  ui.get("/runs/:id", async (c) => {
    const rec = await visibleRun(c, backend);
    if (rec === null) return show(c, "Not found", "history", html`<h1>Not found</h1><p>No run ${c.req.param("id")} that this key may see.</p>`, 404);
    return runView(c, backend, rec);
  });
  ui.post("/runs/:id/stop", async (c) => {
    const s = c.get("session")!;
    const rec = await visibleRun(c, backend);
    if (rec === null) return show(c, "Not found", "history", html`<h1>Not found</h1>`, 404);
    if (!hasScope(s.principal, "run")) return show(c, "Refused", "history", html`<p class="notice error" role="alert">The key "${s.principal.name}" may not stop runs.</p>`, 403);
    const stopped = rec.status === "running" && backend.stopRun(rec.id, s.principal);
    if (stopped) backend.log("info", `run ${rec.id} (${rec.svc} ${rec.rid}) stopped by ${s.principal.name} (web UI)`, { event: "run-stop", runId: rec.id, by: s.principal.name });
    return runView(c, backend, (await backend.history.get(rec.id)) ?? rec, stopped ? { kind: "ok", text: "Stopping: the task's processes get SIGTERM, then SIGKILL." } : { kind: "error", text: `Run ${rec.id} is not running in this daemon.` });
  });
  ui.get("/runs/:id/live", async (c) => {
    const rec = await visibleRun(c, backend);
    if (rec === null || rec.logFile === null) return c.body(null, 404);
    const offset = Math.max(0, Number(c.req.query("offset") ?? "0") || 0);
    const stream = new ReadableStream<Uint8Array>({ start: (out) => void live(backend, rec, offset, out, c.req.raw.signal) });
    return new Response(stream, { headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store" } });
  });
}

async function visibleRun(c: Context<UiEnv>, backend: ApiBackend): Promise<RunRecord | null> {
  const text = c.req.param("id") ?? "";
  if (!/^\d{1,15}$/.test(text)) return null;
  const rec = await backend.history.get(Number(text));
  return rec !== null && coversService(c.get("session")!.principal, rec.svc) ? rec : null;
}

async function runView(c: Context<UiEnv>, backend: ApiBackend, rec: RunRecord, message?: { kind: "ok" | "error"; text: string }): Promise<Response> {
  const s = c.get("session")!;
  const head = rec.logFile === null ? null : await backend.readLog(rec.logFile, 0, FIRST_VIEW_BYTES + 1);
  const shown = head === null ? Buffer.alloc(0) : head.subarray(0, FIRST_VIEW_BYTES);
  const output = head === null ? `${rec.outputHead}${rec.truncated ? "\n…\n" : ""}${rec.outputTail}` : shown.toString("utf8");
  const body: Html = runPage({
    record: rec, zone: backend.taskZone(rec.svc, rec.rid), output, offset: shown.length, truncatedView: head !== null && head.length > FIRST_VIEW_BYTES && rec.status !== "running",
    csrf: s.csrf, canStop: hasScope(s.principal, "run"), now: backend.clock.now(), ...(message === undefined ? {} : { message }),
  });
  return show(c, `Run ${rec.id}`, "history", body);
}

/**
 * Streams the output from `offset` as `output` events whose data is the text (the page's
 * script appends it as a text node: task output can never become markup), then one `end` event
 * with the final status. Chunks are coalesced per read, so a task printing 10,000 lines a
 * second costs a few events a second, not one per line.
 */
async function live(backend: ApiBackend, first: RunRecord, start: number, out: ReadableStreamDefaultController<Uint8Array>, aborted: AbortSignal): Promise<void> {
  const enc = new TextEncoder();
  const send = (event: string, data: string) => out.enqueue(enc.encode(sseEvent(event, data)));
  let offset = start;
  let rec = first;
  let pending = Buffer.alloc(0);
  try {
    for (;;) {
      if (aborted.aborted) return out.close();
      const chunk = await backend.readLog(rec.logFile!, offset, CHUNK);
      if (chunk !== null && chunk.length > 0) {
        offset += chunk.length;
        const all = Buffer.concat([pending, chunk]);
        const cut = utf8Boundary(all);
        pending = all.subarray(cut);
        send("output", stripAnsi(all.subarray(0, cut).toString("utf8")));
        continue;
      }
      if (rec.status !== "running") break;
      await new Promise((r) => setTimeout(r, POLL_MS));
      rec = (await backend.history.get(rec.id)) ?? rec;
    }
    if (pending.length > 0) send("output", stripAnsi(pending.toString("utf8")));
    send("end", JSON.stringify({ status: rec.status, symbol: statusSymbol(rec.status) }));
    out.close();
  } catch (e) {
    out.error(e);
  }
}
