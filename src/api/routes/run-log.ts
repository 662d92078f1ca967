import type { Context, Hono } from "hono";
import type { RunRecord } from "../../core/run-record.js";
import type { ApiBackend } from "../backend.js";
import type { ApiEnv } from "../env.js";
import { ApiProblem } from "../problem.js";
import { readableRun } from "./runs.js";
import { sseEvent, utf8Boundary } from "../sse.js";

/**
 * `GET /api/v1/runs/{id}/log`: a run's output file as it is now (`text/plain`), followed until
 * the run ends (`?follow=1`), or as server-sent events (`Accept: text/event-stream`) whose id is
 * the byte offset after the event's data, so `Last-Event-ID` resumes exactly where a client
 * stopped. Following stops when the record is final and every byte was sent.
 */
const CHUNK = 64 * 1024;
const POLL_MS = 200;
/** SSE: a comment this often keeps proxies from closing an idle stream. */
const KEEPALIVE_MS = 15_000;

export function runLogRoutes(api: Hono<ApiEnv>, backend: ApiBackend): void {
  api.get("/api/v1/runs/:id/log", async (c) => {
    const rec = await readableRun(c, backend);
    if (rec.logFile === null) throw new ApiProblem(404, `run ${rec.id} has no output file (${rec.status}${rec.reason === null ? "" : `: ${rec.reason}`})`);
    const sse = (c.req.header("accept") ?? "").includes("text/event-stream");
    const offset = sse ? resumeOffset(c) : 0;
    const follow = sse || ["1", "true", "yes"].includes(c.req.query("follow") ?? "");
    const stream = new ReadableStream<Uint8Array>({
      start: (controller) => void pump(backend, rec, offset, follow, sse, controller, c.req.raw.signal),
    });
    const headers: Record<string, string> = { "cache-control": "no-store", "x-content-type-options": "nosniff" };
    if (sse) return new Response(stream, { headers: { ...headers, "content-type": "text/event-stream; charset=utf-8" } });
    return new Response(stream, { headers: { ...headers, "content-type": "text/plain; charset=utf-8" } });
  });
}

function resumeOffset(c: Context): number {
  const text = c.req.header("last-event-id") ?? c.req.query("offset");
  if (text === undefined || text === "") return 0;
  if (!/^\d{1,15}$/.test(text)) throw new ApiProblem(400, `Last-Event-ID: expected a byte offset, got "${text}"`, { field: "Last-Event-ID" });
  return Number(text);
}

async function pump(backend: ApiBackend, first: RunRecord, start: number, follow: boolean, sse: boolean, out: ReadableStreamDefaultController<Uint8Array>, aborted: AbortSignal): Promise<void> {
  const enc = new TextEncoder();
  let offset = start;
  let rec = first;
  let lastSent = Date.now();
  // Quiet polls wait 25, 50, 100, then POLL_MS: a short run's end is seen at once, a long one costs one read per POLL_MS.
  let quiet = 0;
  try {
    for (;;) {
      if (aborted.aborted) return out.close();
      const chunk = await backend.readLog(rec.logFile!, offset, CHUNK);
      // A cut UTF-8 sequence waits for its end, unless the run is over (then it is sent as is).
      const whole = chunk === null ? null : rec.status === "running" ? chunk.subarray(0, utf8Boundary(chunk)) : chunk;
      if (whole !== null && whole.length > 0) {
        offset += whole.length;
        out.enqueue(sse ? enc.encode(sseEvent("output", whole.toString("utf8"), offset)) : whole);
        lastSent = Date.now();
        quiet = 0;
        continue;
      }
      if (!follow || rec.status !== "running") break;
      await sleep(Math.min(POLL_MS, 25 * 2 ** quiet++));
      rec = (await backend.history.get(rec.id)) ?? rec;
      if (sse && Date.now() - lastSent > KEEPALIVE_MS) {
        out.enqueue(enc.encode(": keep-alive\n\n"));
        lastSent = Date.now();
      }
      // The record may turn final before the last bytes were read: one more read follows.
    }
    if (sse) out.enqueue(enc.encode(sseEvent("end", JSON.stringify({ status: rec.status, exitCode: rec.exitCode, reason: rec.reason }), offset)));
    out.close();
  } catch (e) {
    out.error(e);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
