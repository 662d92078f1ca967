/**
 * Number options are whole numbers within a range (OptionSpec.range): one rule for the fast
 * parser and yargs, so `--limit abc` or `--keep-runs -1` is a usage error naming the option,
 * the value as typed and what is allowed, before any command runs.
 */
export type WholeNumberRange = readonly [min: number, max: number];

export const ANY_COUNT: WholeNumberRange = [0, Number.MAX_SAFE_INTEGER];

/** The value as a number, or null when it is not a whole number within the range. */
export function parseWholeNumber(raw: string, [min, max]: WholeNumberRange): number | null {
  const text = raw.trim();
  if (!/^\d+$/.test(text)) return null;
  const n = Number(text);
  return n >= min && n <= max ? n : null;
}

export function wholeNumberError(option: string, raw: string, [min, max]: WholeNumberRange): string {
  const allowed = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
  return `--${option} ${raw}: expected a whole number ${allowed}`;
}
