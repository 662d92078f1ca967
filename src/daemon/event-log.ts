import type { DaemonLog } from "../core/ports.js";
import type { DaemonEvent } from "../scheduler/events.js";
import { formatDaemonEvent } from "../scheduler/event-format.js";

/**
 * The scheduler's events in the daemon log. "started" says a slot's run really started: the
 * line is held until the pipeline has begun the run's record, and dropped for a slot whose run
 * never started (skipped, refused, or not recorded: the line that follows says which). A slot
 * that is another cluster node's (gate `cluster`, nothing recorded here) leaves no line.
 */
export class DaemonEventLog {
  private readonly heldStarts = new Map<string, DaemonEvent>();

  constructor(private readonly log: DaemonLog) {}

  emit(e: DaemonEvent): void {
    if (e.kind === "started") {
      this.heldStarts.set(slotKey(e.svc, e.rid, e.slot), e);
      return;
    }
    if (e.kind === "finished" || e.kind === "skipped" || e.kind === "missed") this.heldStarts.delete(slotKey(e.svc, e.rid, e.slot));
    if (e.kind === "finished" && e.run.gate === "cluster" && e.run.record === undefined) return;
    this.write(e);
  }

  /** The slot's run began: its held "started" line is written. */
  started(svc: string, rid: string, slot: Date): void {
    const key = slotKey(svc, rid, slot);
    const held = this.heldStarts.get(key);
    if (held === undefined) return;
    this.heldStarts.delete(key);
    this.write(held);
  }

  private write(e: DaemonEvent): void {
    const level = e.kind === "port-error" ? "error" : e.kind === "missed" || e.kind === "interrupted" || e.kind === "clock-jump" || e.kind === "clock-step" || e.kind === "distrusted-last" ? "warning" : "info";
    const fields: Record<string, unknown> = { event: e.kind };
    if ("svc" in e) fields.svc = e.svc;
    if ("rid" in e) fields.rid = e.rid;
    if ("slot" in e && e.slot instanceof Date) fields.slot = e.slot.toISOString();
    if ("reason" in e) fields.reason = e.reason;
    if ("detail" in e) fields.detail = e.detail;
    this.log.write(level, formatDaemonEvent(e), fields);
  }
}

function slotKey(svc: string, rid: string, slot: Date | null): string {
  return `${svc}\u0000${rid}\u0000${slot?.getTime() ?? ""}`;
}
