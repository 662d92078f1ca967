/**
 * The scheduler's calls to the outside world, made safe for its loop: the log, the history
 * writes of missed slots and the reads of persisted baselines never throw into it. A failure
 * becomes a `port-error` event; a failing log is ignored (the log is an output only).
 */
import type { DaemonEvent, MissedEventReason, TaskRef } from "./events.js";
import type { MissedSlot } from "./planner.js";
import type { AttemptRef, DaemonPorts } from "./ports.js";
import { suspendedText, type Suspension } from "../core/suspension.js";

export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export const refOf = (t: TaskRef): TaskRef => ({ svc: t.svc, rid: t.rid, key: t.key });

export class SafePorts {
  constructor(private readonly ports: DaemonPorts) {}

  emit(event: DaemonEvent): void {
    try {
      this.ports.emit(event);
    } catch {
      // The log is an output only; a failing sink must not stop scheduling.
    }
  }

  /** A slot the planner gave up (or a summary of several): recorded and logged. */
  planMissed(task: TaskRef, m: MissedSlot): void {
    this.recordMissed(task, m.scheduledFor, m.detail);
    this.emit({ ...refOf(task), kind: "missed", slot: m.scheduledFor, reason: m.reason, detail: m.detail, count: m.count });
  }

  /** A due slot that will not start after all: recorded and logged. */
  missSlot(task: TaskRef, scheduledFor: Date, reason: MissedEventReason, detail: string): void {
    this.recordMissed(task, scheduledFor, detail);
    this.emit({ ...refOf(task), kind: "missed", slot: scheduledFor, reason, detail, count: 1 });
  }

  /** A due slot of a suspended task: recorded skipped (reason `suspended by …`) and logged. */
  skipSuspended(task: TaskRef, scheduledFor: Date, s: Suspension): void {
    const detail = suspendedText(s);
    this.write("recordSkipped", task, () => this.ports.recordSkipped({ svc: task.svc, rid: task.rid, scheduledFor }, detail));
    this.emit({ ...refOf(task), kind: "skipped", slot: scheduledFor, reason: "suspended", detail });
  }

  loadLast(task: TaskRef): Date | null {
    try {
      return this.ports.loadLastScheduled(task.svc, task.rid);
    } catch (err) {
      this.emit({ kind: "port-error", port: "loadLastScheduled", key: task.key, detail: errorText(err) });
      return null;
    }
  }

  loadLastAttempt(task: TaskRef): AttemptRef | null {
    try {
      return this.ports.loadLastAttempt?.(task.svc, task.rid) ?? null;
    } catch (err) {
      this.emit({ kind: "port-error", port: "loadLastScheduled", key: task.key, detail: errorText(err) });
      return null;
    }
  }

  private recordMissed(t: TaskRef, scheduledFor: Date, reason: string): void {
    this.write("recordMissed", t, () => this.ports.recordMissed({ svc: t.svc, rid: t.rid, scheduledFor }, reason));
  }

  /** A history write: its failure, thrown or rejected, becomes a port-error event. */
  private write(port: "recordMissed" | "recordSkipped", t: TaskRef, call: () => void | Promise<void>): void {
    const fail = (err: unknown) => this.emit({ kind: "port-error", port, key: t.key, detail: errorText(err) });
    try {
      const r = call();
      if (r instanceof Promise) r.catch(fail);
    } catch (err) {
      fail(err);
    }
  }
}
