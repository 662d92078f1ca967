import type { Program } from "./ast.js";
import { CronSearch, type CronRule } from "./cron.js";
import { findNext, gapQuery, isFirstPassOfRepeat, type Found } from "./dst.js";
import { effectiveLast } from "./future-last.js";
import { formatInZone } from "./iso.js";
import { refusalReason } from "./opensvc-check.js";
import { OpensvcSearch, type SearchContext } from "./opensvc-search.js";
import type { CheckResult, DstNote, PlannedRun, Schedule, ScheduleKind } from "./types.js";
import type { Zone } from "./zone.js";

/**
 * The three kinds of Schedule behind one interface. Each engine answers one question —
 * the first run instant >= now given the last scheduled run — and everything else
 * (nextRuns, explainRuns, check) is derived from it, so the answers never disagree.
 */
abstract class EngineSchedule implements Schedule {
  abstract readonly kind: ScheduleKind;
  abstract readonly fixedTime: boolean;
  constructor(
    readonly expression: string,
    protected readonly zone: Zone,
  ) {}

  get timezone(): string {
    return this.zone.name;
  }

  /** First run >= now; `splay` false ignores `~` delays (used to decide "allowed now"). */
  protected abstract find(now: number, last: number | null, splay: boolean): Found | null;
  /** Did the gap behind `found` swallow more than one occurrence? */
  protected abstract coalesced(found: Found, last: number | null): boolean;
  protected abstract refusal(now: number, last: number | null): string | null;

  next(now: Date, last?: Date | null): Date | null {
    const t = now.getTime();
    const f = this.find(t, effectiveLast(t, last), true);
    return f === null ? null : new Date(f.at);
  }

  nextRuns(now: Date, count: number, last?: Date | null): Date[] {
    return this.explainRuns(now, count, last).map((r) => r.at);
  }

  explainRuns(now: Date, count: number, last?: Date | null): PlannedRun[] {
    const out: PlannedRun[] = [];
    let cur = now.getTime();
    let prev = effectiveLast(cur, last);
    while (out.length < count) {
      const f = this.find(cur, prev, true);
      if (f === null) break;
      const dst = this.note(f, prev);
      out.push(dst === undefined ? { at: new Date(f.at) } : { at: new Date(f.at), dst });
      prev = cur = f.at;
    }
    return out;
  }

  check(now: Date, last?: Date | null): CheckResult {
    const t = now.getTime();
    const prev = effectiveLast(t, last);
    const f = this.find(t, prev, false);
    if (f !== null && f.at === t) return this.allowed(t, prev);
    const why = this.refusal(t, prev);
    const next = f === null ? "it never runs again" : `next run at ${formatInZone(this.find(t, prev, true)?.at ?? f.at, this.zone)}`;
    return { allowed: false, reason: why === null ? `not a run time; ${next}` : `${why}; ${next}` };
  }

  /** The verdict for an allowed instant; OpenSVC adds the `~` spread. */
  protected allowed(_now: number, _last: number | null): CheckResult {
    return { allowed: true };
  }

  private note(f: Found, last: number | null): DstNote | undefined {
    if (f.inGap) return this.coalesced(f, last) ? "gap-coalesced" : "gap-moved";
    return isFirstPassOfRepeat(this.zone, f) ? "overlap-first" : undefined;
  }
}

/** "", "@0", "[]": never runs. */
export class NoSchedule implements Schedule {
  readonly kind = "none";
  readonly fixedTime = false;
  constructor(
    readonly expression: string,
    readonly timezone: string,
  ) {}
  next(): Date | null {
    return null;
  }
  nextRuns(): Date[] {
    return [];
  }
  explainRuns(): PlannedRun[] {
    return [];
  }
  check(): CheckResult {
    return { allowed: false, reason: "no schedule" };
  }
}

export class CronSchedule extends EngineSchedule {
  readonly kind = "cron";
  constructor(expression: string, zone: Zone, private readonly rule: CronRule) {
    super(expression, zone);
  }

  get fixedTime(): boolean {
    return this.rule.fixed;
  }

  /** Runs are whole seconds strictly after `last`. */
  protected find(now: number, last: number | null, _splay: boolean): Found | null {
    const from = last !== null && last + 1 > now ? last + 1 : now;
    return findNext(this.zone, new CronSearch(this.rule), from);
  }

  protected coalesced(found: Found): boolean {
    return new CronSearch(this.rule).first(gapQuery(found.seg, found.hit.wall + 1)) !== null;
  }

  protected refusal(now: number, last: number | null): string | null {
    if (now % 1000 !== 0) return "cron runs on whole seconds";
    if (last !== null && last >= now) return `already ran at ${formatInZone(last, this.zone)}`;
    return `not a run time of ${JSON.stringify(this.expression.trim())}`;
  }
}

export class OpensvcSchedule extends EngineSchedule {
  readonly kind = "opensvc";
  constructor(expression: string, zone: Zone, private readonly program: Program, private readonly splayKey: string) {
    super(expression, zone);
  }

  get fixedTime(): boolean {
    return this.program.includes.some((e) => e.ranges.some((r) => r.fixed));
  }

  protected find(now: number, last: number | null, splay: boolean): Found | null {
    const ctx = this.context(last, splay);
    return findNext(this.zone, new OpensvcSearch(this.program, ctx), now);
  }

  private context(last: number | null, splay: boolean, lastWall?: number): SearchContext {
    return {
      last,
      lastWall: lastWall ?? (last === null ? 0 : this.zone.wallOf(last)),
      splayKey: splay ? this.splayKey : null,
    };
  }

  protected coalesced(found: Found): boolean {
    const search = new OpensvcSearch(this.program, this.context(found.at, false, found.hit.wall));
    return search.first(gapQuery(found.seg, found.hit.wall + 1)) !== null;
  }

  protected refusal(now: number, last: number | null): string | null {
    const wall = this.zone.wallOf(now);
    const lastWall = last === null ? 0 : this.zone.wallOf(last);
    return refusalReason({ program: this.program, wall, now, last, lastWall });
  }

  protected override allowed(now: number, last: number | null): CheckResult {
    const f = this.find(now, last, true);
    const delayMs = f === null ? 0 : f.at - now;
    return delayMs > 0 ? { allowed: true, delayMs } : { allowed: true };
  }
}
