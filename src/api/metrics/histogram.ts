import { formatValue, sampleLine } from "./exposition.js";

/**
 * A cumulative histogram with fixed upper bounds (seconds): per bound the number of
 * observations ≤ it, plus their count and sum. Only grows.
 */
export class Histogram {
  private readonly counts: number[];
  private readonly les: readonly string[];
  private sum = 0;
  private count = 0;

  constructor(private readonly bounds: readonly number[]) {
    this.counts = bounds.map(() => 0);
    this.les = bounds.map((b) => `,le="${formatValue(b)}"`);
  }

  observe(v: number): void {
    for (let i = 0; i < this.bounds.length; i++) if (v <= this.bounds[i]!) this.counts[i]!++;
    this.sum += v;
    this.count++;
  }

  get observations(): number {
    return this.count;
  }

  /** `_bucket` lines (cumulative, `le` last, +Inf included), then `_sum` and `_count`, for the label pairs `pairs` (not empty). */
  lines(name: string, pairs: string): string {
    let out = "";
    for (let i = 0; i < this.les.length; i++) out += `${name}_bucket{${pairs}${this.les[i]!}} ${this.counts[i]!}\n`;
    out += `${name}_bucket{${pairs},le="+Inf"} ${this.count}\n`;
    return out + sampleLine(`${name}_sum`, pairs, round(this.sum)) + sampleLine(`${name}_count`, pairs, this.count);
  }
}

/** Sums of millisecond durations in seconds, without float noise beyond the millisecond. */
const round = (v: number): number => Math.round(v * 1000) / 1000;

/** Task run durations: from a tenth of a second to a day. */
export const DURATION_BUCKETS = [0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 1800, 3600, 7200, 21600, 86400] as const;
/** Start − slot of scheduled runs: mostly well under a second; longer when the node-wide limit queues slots. */
export const DELAY_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900] as const;
