import type { Hono } from "hono";
import type { ApiBackend } from "../api/backend.js";
import { coversService } from "../api/principal.js";
import { isRunStatus, RUN_TRIGGERS, type RunStatus, type RunTrigger } from "../core/run-record.js";
import { coveredPage, decodeCursor, encodeCursor } from "../api/paging.js";
import { historyPage, type HistoryFilters } from "./pages/history.js";
import { show, type UiEnv } from "./view.js";

const PAGE = 50;

/** `GET /history`: the history page; filters and the cursor are query parameters (bad ones are ignored, not fatal). */
export function historyRoute(ui: Hono<UiEnv>, backend: ApiBackend): void {
  ui.get("/history", async (c) => {
    const s = c.get("session")!;
    const q = (name: string) => {
      const v = c.req.query(name);
      return v === undefined || v === "" ? undefined : v.slice(0, 200);
    };
    const filters: HistoryFilters = { svc: q("svc"), rid: q("rid"), status: q("status"), trigger: q("trigger"), since: q("since"), until: q("until") };
    const status = filters.status !== undefined && isRunStatus(filters.status) ? (filters.status as RunStatus) : undefined;
    const trigger = filters.trigger !== undefined && (RUN_TRIGGERS as readonly string[]).includes(filters.trigger) ? (filters.trigger as RunTrigger) : undefined;
    let before;
    try {
      before = decodeCursor(q("cursor"));
    } catch {
      before = undefined;
    }
    const base = {
      ...(filters.svc === undefined ? {} : { svc: filters.svc }), ...(filters.rid === undefined ? {} : { rid: filters.rid }),
      ...(status === undefined ? {} : { status }), ...(trigger === undefined ? {} : { trigger }),
      ...localTime("since", filters.since), ...localTime("until", filters.until),
    };
    const page = await coveredPage(backend.history, base, before, PAGE, (svc) => coversService(s.principal, svc));
    const records = page.items;
    const next = page.next === null ? null : encodeCursor(page.next);
    const services = (await backend.services()).map((x) => x.path).filter((p) => coversService(s.principal, p));
    return show(c, "History", "history", historyPage({ filters, services, records, next, zoneOf: (svc, rid) => backend.taskZone(svc, rid), now: backend.clock.now() }));
  });
}

/** A `datetime-local` value (no zone: the daemon's host zone is meant) as epoch ms. */
function localTime(key: "since" | "until", text: string | undefined): Partial<Record<"since" | "until", number>> {
  if (text === undefined) return {};
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? { [key]: ms } : {};
}
