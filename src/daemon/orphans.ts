import type { HistoryStore } from "../core/history-store.js";
import type { DaemonLog } from "../core/ports.js";
import type { RunRecord } from "../core/run-record.js";
import { ofNode, ownerAlive } from "../history/recover.js";
import type { DaemonPlatform } from "./ports.js";

/** What the daemon's handling of runs a killed svcmgr left needs. */
export interface OrphanDeps {
  readonly history: Pick<HistoryStore, "inFlight">;
  readonly platform: Pick<DaemonPlatform, "orphans" | "runCgroups" | "runContainers">;
  readonly log: DaemonLog;
  readonly nodename: string;
  readonly isAlive: (pid: number, startTime: number | null) => boolean;
}

/**
 * `[limits] orphans = kill`: the processes (whole cgroups) and containers of in-flight runs
 * whose svcmgr is gone are killed before recovery records them interrupted. The note per run.
 */
export async function killOrphans(d: OrphanDeps): Promise<Map<number, string>> {
  const notes = new Map<number, string>();
  if (d.platform.orphans !== "kill") return notes;
  const cgroups = d.platform.runCgroups.unavailable() === null;
  const mine = ofNode(d.nodename);
  for (const r of await d.history.inFlight()) {
    if (!mine(r) || ownerAlive(r, d.isAlive)) continue;
    const killed = cgroups ? await d.platform.runCgroups.reap(r.svc, r.rid, r.id) : 0;
    const container = await reapContainer(d, r);
    if (killed === 0 && !container) continue;
    const what = [killed > 0 ? `its ${killed} remaining process(es) killed` : "", container ? "its container removed" : ""].filter((w) => w !== "");
    notes.set(r.id, `${what.join(" and ")} at daemon start ([limits] orphans = kill)`);
    if (killed > 0) d.log.write("warning", `killed the ${killed} process(es) left by ${r.svc} ${r.rid} run ${r.id} (its svcmgr is gone; [limits] orphans = kill)`, { event: "orphan-killed", svc: r.svc, rid: r.rid, runId: r.id, processes: killed });
  }
  return notes;
}

/** Removes the container a run of a container task left (a killed svcmgr could not). */
export async function reapContainer(d: Pick<OrphanDeps, "platform" | "log">, r: RunRecord): Promise<boolean> {
  const removed = r.session !== null && (await d.platform.runContainers.reap(r.svc, r.rid, r.session));
  if (removed) d.log.write("warning", `removed the container left by ${r.svc} ${r.rid} run ${r.id} (its svcmgr is gone)`, { event: "orphan-container-removed", svc: r.svc, rid: r.rid, runId: r.id });
  return removed;
}
