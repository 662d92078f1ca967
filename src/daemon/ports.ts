/**
 * What the scheduler needs from the outside world. The composition root wires these to the
 * run pipeline, the history store and the daemon log; tests pass fakes.
 */
import type { Clock } from "../core/ports.js";
import type { DaemonEvent } from "./events.js";

export type { Clock };

/** Why the run pipeline did not run a slot (style practice 22). */
export type SkipReason = "max-parallel" | "requires" | "disabled" | "unconfirmed" | "not-provisioned" | "too-soon";

/** A slot handed to the run pipeline. The run id derives from (svc, rid, scheduledFor). */
export interface LaunchRequest {
  readonly svc: string;
  readonly rid: string;
  readonly scheduledFor: Date;
  /** True when the slot runs late under the catch-up policy (the record says so). */
  readonly catchup?: boolean;
}

/**
 * How a launched slot ended. The pipeline has already recorded it (run record or skip record);
 * the scheduler only logs it.
 */
export type LaunchOutcome =
  | {
      readonly kind: "finished";
      readonly status: "up" | "down" | "warn" | "n/a";
      readonly exitCode?: number | null;
      readonly runId?: string;
      readonly durationMs?: number;
      readonly timedOut?: boolean;
    }
  | { readonly kind: "skipped"; readonly reason: SkipReason; readonly detail: string }
  | { readonly kind: "failed"; readonly detail: string };

/** A (task, slot) pair, the unit of history. */
export interface SlotRef {
  readonly svc: string;
  readonly rid: string;
  readonly scheduledFor: Date;
}

export interface DaemonPorts {
  readonly clock: Clock;
  /** Runs the slot through the run pipeline; must settle (and should never reject). */
  launch(slot: LaunchRequest): Promise<LaunchOutcome>;
  /** Records a slot that will never run, with a human-readable reason. */
  recordMissed(slot: SlotRef, reason: string): void | Promise<void>;
  /** The persisted last scheduled slot of a task (launched or missed); null when none. */
  loadLastScheduled(svc: string, rid: string): Date | null;
  /** One decision, for the daemon log. Must not throw (exceptions are swallowed). */
  emit(event: DaemonEvent): void;
}

export interface SchedulerOptions {
  /** Node-wide limit of concurrent launches; due slots beyond it wait in FIFO order. */
  readonly maxParallel: number;
  /** Longest timer ever armed. @default MAX_TIMER_MS (30 s) */
  readonly maxTimerMs?: number;
}

/**
 * The default node-wide limit: twice the CPU count, at least 6 (OpenSVC's floor).
 * Task commands spend most of their time outside the daemon, so more than one per CPU.
 */
export function defaultMaxParallel(cpuCount: number): number {
  return Math.max(6, 2 * Math.max(1, Math.floor(cpuCount)));
}
