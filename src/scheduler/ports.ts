/**
 * What the scheduler needs from the outside world. The composition root wires these to the
 * run pipeline, the history store and the daemon log; tests pass fakes.
 */
import type { Clock } from "../core/ports.js";
import type { TaskRun } from "../run/task-run.js";
import type { DaemonEvent } from "./events.js";

export type { Clock };

/** A slot handed to the run pipeline. The run id derives from (svc, rid, scheduledFor). */
export interface LaunchRequest {
  readonly svc: string;
  readonly rid: string;
  readonly scheduledFor: Date;
  /** True when the slot runs late under the catch-up policy (the record says so). */
  readonly catchup?: boolean;
  /** A retry: the attempt number (2 and more) and the record of the attempt it follows. */
  readonly retry?: RetryRef;
  /**
   * The slot's instant came again because the clock was set back (an interval or wildcard
   * schedule keeping its pace): the slot may already have records, this run is its next attempt.
   */
  readonly repeat?: boolean;
}

/** Which attempt a retry is, and the record of the attempt it follows. */
export interface RetryRef {
  readonly attempt: number;
  readonly retryOf: number | null;
}

/** The outcome of one attempt at a slot, as the history holds it. */
export interface AttemptRef {
  readonly scheduledFor: Date;
  readonly attempt: number;
  /** The record's id (a retry links to it). */
  readonly recordId: number;
  /** The record's status: failed, timed_out, aborted and interrupted attempts can be retried. */
  readonly status: string;
  /** When it ended (null: still running). */
  readonly endedAt: Date | null;
}

/** A (task, slot) pair, the unit of history. */
export interface SlotRef {
  readonly svc: string;
  readonly rid: string;
  readonly scheduledFor: Date;
}

export interface DaemonPorts {
  readonly clock: Clock;
  /**
   * Runs the slot through the run pipeline, which records it; must settle (and should never
   * reject). The TaskRun carries the record: the scheduler logs it and decides a retry from it.
   */
  launch(slot: LaunchRequest): Promise<TaskRun>;
  /** Records a slot that will never run, with a human-readable reason. */
  recordMissed(slot: SlotRef, reason: string): void | Promise<void>;
  /** Records a due slot that is not run because its task is suspended (status skipped). */
  recordSkipped(slot: SlotRef, reason: string): void | Promise<void>;
  /** The persisted last scheduled slot of a task (launched or missed); null when none. */
  loadLastScheduled(svc: string, rid: string): Date | null;
  /** The last attempt at the task's newest recorded slot, for retries across a restart. */
  loadLastAttempt?(svc: string, rid: string): AttemptRef | null;
  /** One decision, for the daemon log. Must not throw (exceptions are swallowed). */
  emit(event: DaemonEvent): void;
}

export interface SchedulerOptions {
  /** Node-wide limit of concurrent launches; due slots beyond it wait in FIFO order. */
  readonly maxParallel: number;
  /**
   * Longest timer ever armed. The daemon keeps the default, so that a wall clock step shows
   * within 30 s; a test clock that never steps may raise it to simulate months quickly.
   * @default MAX_TIMER_MS (30 s)
   */
  readonly maxTimerMs?: number;
}

/**
 * The default node-wide limit: twice the CPU count, at least 6 (OpenSVC's floor).
 * Task commands spend most of their time outside the daemon, so more than one per CPU.
 */
export function defaultMaxParallel(cpuCount: number): number {
  return Math.max(6, 2 * Math.max(1, Math.floor(cpuCount)));
}
