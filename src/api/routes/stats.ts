import type { Hono } from "hono";
import type { ApiBackend } from "../backend.js";
import type { ApiEnv } from "../env.js";
import { requireAccess } from "../auth.js";
import { coversService } from "../principal.js";
import { intParam } from "../request.js";
import { dailyStats, statsSince } from "../daily-stats.js";

export const MAX_STATS_DAYS = 366;

/**
 * `GET /api/v1/stats?svc&rid&days=30`: per task and local day (the task's zone) the runs, the
 * failures, the average and longest duration, from the history (what pruning removed is not
 * counted: the metrics' counters are the record since the daemon started). Only the services
 * the key covers.
 */
export function statsRoutes(api: Hono<ApiEnv>, backend: ApiBackend): void {
  api.get("/api/v1/stats", async (c) => {
    const p = requireAccess(c, "read");
    const svc = c.req.query("svc") || undefined;
    const rid = c.req.query("rid") || undefined;
    if (svc !== undefined) requireAccess(c, "read", svc);
    const days = intParam(c, "days", 30, 1, MAX_STATS_DAYS);
    const now = backend.clock.now();
    const buckets = await backend.history.runBuckets({ ...(svc === undefined ? {} : { svc }), ...(rid === undefined ? {} : { rid }), since: statsSince(now, days) });
    const zones = backend.taskZones();
    const tasks = zones.tasks.filter((t) => (svc === undefined || t.svc === svc) && (rid === undefined || t.rid === rid));
    const items = dailyStats(buckets.filter((b) => coversService(p, b.svc)), tasks.filter((t) => coversService(p, t.svc)), zones.timezone, now, days);
    return c.json({ items, next: null });
  });
}
