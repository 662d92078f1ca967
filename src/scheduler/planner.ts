/**
 * The planner: for one task and the current instant, which slots to launch, which to record
 * as missed, and when to wake next. Pure: time is an argument, the schedule is pure, and the
 * work per call is bounded whatever the downtime (see slots.ts).
 *
 * Invariants:
 * - a slot at or before the baseline (last scheduled slot) is never returned again;
 * - a first-ever plan (no last slot, no horizon) never catches up: its first slot is
 *   `schedule.next(now, null)`, which may be `now` itself (OpenSVC windows);
 * - a stored last slot more than DISTRUST_TOLERANCE_MS (3 h) in the future is distrusted: the
 *   plan proceeds as if it were `now` and says so (`distrusted`), as the schedule engine does
 *   (design §6); one in the future within 3 h stands (no slot at or before it runs again) and is
 *   said too (`futureKept`);
 * - the most recent slot at most LATE_THRESHOLD_MS old always runs, as on time; older slots
 *   follow the catch-up policy and window;
 * - every slot up to `now` that is not launched is accounted for as missed: at most
 *   MISSED_RECORD_LIMIT individually, the rest in one summary entry carrying the count.
 */
import { formatDuration } from "../core/duration.js";
import { FUTURE_LAST_TOLERANCE_MS } from "../schedule/future-last.js";
import type { Schedule } from "../schedule/types.js";
import { LATE_THRESHOLD_MS } from "./clock-jump.js";
import { averageSpacing, collectSlots, findRecentSlots } from "./slots.js";
import type { CatchupPolicy } from "./task.js";

/** A stored last slot later than now + this counts as now (a reset clock, or another host's record). */
export const DISTRUST_TOLERANCE_MS = FUTURE_LAST_TOLERANCE_MS;
/** Missed slots recorded one by one per task and planning pass; the rest are summarised. */
export const MISSED_RECORD_LIMIT = 100;
/** `catchup = all` launches at most this many missed slots (the most recent ones) per pass. */
export const CATCHUP_ALL_MAX_RUNS = 24;

export interface PlanInput {
  readonly schedule: Schedule;
  readonly catchup: CatchupPolicy;
  readonly catchupWindowMs: number | null;
  /** The last slot launched or recorded missed; null: never. */
  readonly lastScheduled: Date | null;
  /**
   * Where lastScheduled comes from. "stored" (history, default) may be distrusted when it lies
   * in the future; "memory" (this daemon launched it) is authoritative even after a backward jump.
   */
  readonly lastScheduledSource?: "stored" | "memory";
  /** Slots before this instant are not considered: set by the first plan and on reload. */
  readonly horizon?: Date | null;
}

export type MissedReason = "outside-catchup-window" | "catchup-none" | "superseded" | "catchup-limit" | "summary";

export type SlotDecision =
  | { readonly kind: "launch"; readonly at: number; readonly catchup: boolean }
  | { readonly kind: "missed"; readonly at: number; readonly reason: MissedReason; readonly detail: string };

export interface LaunchSlot {
  readonly scheduledFor: Date;
  /** True when the slot runs late because of the catch-up policy, not on time. */
  readonly catchup: boolean;
}

export interface MissedSlot {
  /**
   * The slot; for a summary, the latest instant it stands for, so that a history that derives
   * the last scheduled slot from max(slot) moves past every slot the summary covers.
   */
  readonly scheduledFor: Date;
  readonly reason: MissedReason;
  readonly detail: string;
  /** 1, or for a summary the number of slots it stands for (estimated when `estimated`). */
  readonly count: number;
  /** For a summary: the oldest slot it covers. */
  readonly from?: Date;
  /** For a summary: the count includes an estimate of slots that were never enumerated. */
  readonly estimated?: boolean;
}

export interface TaskPlan {
  /** Chronological. */
  readonly launches: readonly LaunchSlot[];
  /** Chronological; a summary entry, if any, comes last. */
  readonly missed: readonly MissedSlot[];
  /** First slot after `now`; null: the schedule has no further slot. */
  readonly nextWake: Date | null;
  /** The new baseline: the latest slot launched or missed, else the (possibly replaced) input. */
  readonly lastScheduled: Date | null;
  readonly horizon: Date | null;
  /** The stored instant, when it was distrusted. */
  readonly distrusted: Date | null;
  /** The stored instant, when it lies in the future within the tolerance and stands. */
  readonly futureKept: Date | null;
}

interface Baseline {
  readonly last: number | null;
  readonly horizon: number | null;
  readonly distrusted: Date | null;
  readonly futureKept: Date | null;
}

/** Where enumeration starts, after distrusting a future stored instant and fixing the first horizon. */
export function resolveBaseline(input: PlanInput, nowMs: number): Baseline {
  const last = input.lastScheduled?.getTime() ?? null;
  const horizon = input.horizon?.getTime() ?? null;
  const stored = (input.lastScheduledSource ?? "stored") === "stored";
  if (last !== null && stored && last > nowMs + DISTRUST_TOLERANCE_MS) {
    return { last: nowMs, horizon, distrusted: new Date(last), futureKept: null };
  }
  const futureKept = last !== null && stored && last > nowMs ? new Date(last) : null;
  if (last === null && horizon === null) return { last: null, horizon: nowMs, distrusted: null, futureKept };
  return { last, horizon, distrusted: null, futureKept };
}

/** The runnable-slot budget of a policy: how many of the most recent slots may launch. */
export function runLimit(policy: CatchupPolicy): number {
  return policy === "all" ? CATCHUP_ALL_MAX_RUNS : 1;
}

/**
 * Decides one slot ≤ now. `rank` counts slots after it (0 = the most recent one).
 */
export function decideSlot(at: number, rank: number, nowMs: number, policy: CatchupPolicy, windowMs: number | null): SlotDecision {
  const age = nowMs - at;
  if (rank === 0 && age <= LATE_THRESHOLD_MS) return { kind: "launch", at, catchup: false };
  if (windowMs !== null && age > windowMs) {
    return { kind: "missed", at, reason: "outside-catchup-window", detail: `older than catchup_window (${formatDuration(windowMs)})` };
  }
  if (policy === "none") return { kind: "missed", at, reason: "catchup-none", detail: "catchup = none" };
  if (rank < runLimit(policy)) return { kind: "launch", at, catchup: true };
  return policy === "latest"
    ? { kind: "missed", at, reason: "superseded", detail: "catchup = latest: superseded by a more recent slot" }
    : { kind: "missed", at, reason: "catchup-limit", detail: `catchup = all runs at most ${CATCHUP_ALL_MAX_RUNS} missed slots` };
}

/** Slots ≤ now known after a bounded enumeration, with the stretch that was skipped, if any. */
export interface KnownSlots {
  readonly slots: readonly number[];
  /**
   * Slots never enumerated, lying right after slots[afterIndex]; `count` and `lastMs` (the
   * latest of them) are estimated from the spacing of the enumerated ones.
   */
  readonly gap: { readonly afterIndex: number; readonly count: number; readonly lastMs: number } | null;
  readonly next: number | null;
}

/**
 * The first MISSED_RECORD_LIMIT + want slots from `fromMs`, and when more remain before `now`,
 * the `want` most recent ones (found by searching back from `now`) with an estimated gap.
 */
export function knownPastSlots(schedule: Schedule, fromMs: number, last: number | null, nowMs: number, want: number): KnownSlots {
  const head = collectSlots(schedule, fromMs, last, nowMs, MISSED_RECORD_LIMIT + want);
  if (head.complete) return { slots: head.slots, gap: null, next: head.next };
  const headLast = head.slots[head.slots.length - 1]!;
  const spacing = averageSpacing(head.slots);
  const tail = findRecentSlots(schedule, headLast, nowMs, want, spacing)?.slots ?? [];
  const lastKnown = tail[tail.length - 1] ?? headLast;
  const next = schedule.next(new Date(nowMs + 1), new Date(lastKnown))?.getTime() ?? null;
  const endMs = tail[0] ?? nowMs;
  const count = spacing > 0 ? Math.max(Math.round((endMs - headLast) / spacing) - 1, 0) : 0;
  const lastMs = Math.max(headLast, Math.round(endMs - spacing));
  return { slots: [...head.slots, ...tail], gap: { afterIndex: head.slots.length - 1, count, lastMs }, next };
}

function decideAll(known: KnownSlots, nowMs: number, input: PlanInput): SlotDecision[] {
  const n = known.slots.length;
  const gap = known.gap;
  return known.slots.map((at, i) => {
    const rank = n - 1 - i + (gap !== null && i <= gap.afterIndex ? gap.count : 0);
    return decideSlot(at, rank, nowMs, input.catchup, input.catchupWindowMs);
  });
}

type Missed = Extract<SlotDecision, { kind: "missed" }>;

/** Individual records for the oldest MISSED_RECORD_LIMIT missed slots, one summary for the rest. */
export function missedRecords(decisions: readonly SlotDecision[], gap: KnownSlots["gap"]): MissedSlot[] {
  const missed = decisions.filter((d): d is Missed => d.kind === "missed");
  const records: MissedSlot[] = missed
    .slice(0, MISSED_RECORD_LIMIT)
    .map((d) => ({ scheduledFor: new Date(d.at), reason: d.reason, detail: d.detail, count: 1 }));
  const rest = missed.slice(MISSED_RECORD_LIMIT);
  const first = rest[0];
  if (first === undefined) return records;
  const gapCount = gap?.count ?? 0;
  const untilMs = Math.max(rest[rest.length - 1]!.at, gap === null ? -Infinity : gap.lastMs);
  const count = rest.length + gapCount;
  const about = gap === null ? "" : "about ";
  const detail = `${about}${count} missed slots from ${new Date(first.at).toISOString()} to ${new Date(untilMs).toISOString()}` +
    ` not recorded one by one (limit ${MISSED_RECORD_LIMIT} per task and pass; latest reason: ${rest[rest.length - 1]!.detail})`;
  records.push({ scheduledFor: new Date(untilMs), reason: "summary", detail, count, from: new Date(first.at), estimated: gap !== null });
  return records;
}

function startOf(base: Baseline): number {
  const afterLast = base.last === null ? -Infinity : base.last + 1;
  return Math.max(afterLast, base.horizon ?? -Infinity);
}

/** Plans one task at `now`. See the module comment for the invariants. */
export function planTask(input: PlanInput, now: Date): TaskPlan {
  const nowMs = now.getTime();
  const base = resolveBaseline(input, nowMs);
  const known = knownPastSlots(input.schedule, startOf(base), base.last, nowMs, runLimit(input.catchup));
  const decisions = decideAll(known, nowMs, input);
  const launches: LaunchSlot[] = [];
  for (const d of decisions) if (d.kind === "launch") launches.push({ scheduledFor: new Date(d.at), catchup: d.catchup });
  const lastMs = known.slots[known.slots.length - 1] ?? base.last;
  return {
    launches,
    missed: missedRecords(decisions, known.gap),
    nextWake: known.next === null ? null : new Date(known.next),
    lastScheduled: lastMs === null ? null : new Date(lastMs),
    horizon: base.horizon === null ? null : new Date(base.horizon),
    distrusted: base.distrusted,
    futureKept: base.futureKept,
  };
}
