/**
 * The parsed form of an OpenSVC schedule expression (spec §4.1). Times of day are ms since
 * local midnight; every value here is validated: the engine never meets an impossible field.
 */

export interface TimeRange {
  /** The range as written, e.g. "~09:00-10:00@30". */
  readonly text: string;
  /** Start, ms since midnight. */
  readonly begin: number;
  /**
   * End, ms since midnight. Inclusive in an include element; exclusive in an exclusion
   * (an exclusion releases at its end time). `begin > end` means the range runs past midnight.
   */
  readonly end: number;
  readonly wraps: boolean;
  /** Window length in ms (end - begin, across midnight when it wraps). */
  readonly length: number;
  /** Minimum spacing between runs, ms, > 0. Default: length + 1 s ("once per range"), 24 h for `*`. */
  readonly interval: number;
  /** `~` given and the window is long enough (> 2 s) and runs once (interval >= length). */
  readonly probabilistic: boolean;
  /** Once-per-range window (interval >= length): the DST fixed-time rule applies. */
  readonly fixed: boolean;
}

/** A weekday (1 = Monday .. 7 = Sunday) AND a day of month (1..31, or -1 = last, -2 = day before last ...). */
export interface DayRule {
  readonly weekday: number;
  readonly monthday: number;
}

export interface Element {
  readonly text: string;
  readonly exclude: boolean;
  readonly ranges: readonly TimeRange[];
  /** Bit m (1..12) set = month allowed. */
  readonly months: number;
  /** Allowed ISO weeks indexed 1..53, or null for every week. */
  readonly weeks: readonly boolean[] | null;
  /** Bit w (1..7) set = that weekday allowed on any day of month. */
  readonly anyDayWeekdays: number;
  /** Weekday-and-day-of-month pairs, in addition to anyDayWeekdays. */
  readonly dayRules: readonly DayRule[];
}

export interface Program {
  readonly includes: readonly Element[];
  readonly excludes: readonly Element[];
}

export const ALL_MONTHS = 0b1_1111_1111_1110;
export const ALL_WEEKDAYS = 0b1111_1110;
