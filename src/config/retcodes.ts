import { isStatus, type Status } from "../core/status.js";

/**
 * `retcodes`: maps a task's exit code to a resource status, e.g. "0:up 1:down 3:warn".
 * Unlisted codes map to `warn`. A run succeeds only when its status is `up`.
 * Unlike OpenSVC, a bad rule is a configuration error, not silently dropped, and so is a
 * second rule for the same exit code (one of the two would be).
 */
export type RetcodeRules = ReadonlyMap<number, Status>;

export const DEFAULT_RETCODES = "0:up 1:down";

export function parseRetcodes(text: string): { rules: RetcodeRules } | { error: string } {
  const rules = new Map<number, Status>();
  for (const rule of text.split(/\s+/).filter((w) => w !== "")) {
    const m = /^(-?\d+):(.+)$/.exec(rule);
    if (m === null || !isStatus(m[2]!)) {
      return { error: `rules "<exit code>:<status>" separated by spaces, status one of up, down, warn, n/a, undef ("${rule}" is not)` };
    }
    const code = Number(m[1]);
    if (rules.has(code)) return { error: `one rule per exit code ("${rule}" repeats exit code ${code})` };
    rules.set(code, m[2]);
  }
  if (rules.size === 0) return { error: `at least one "<exit code>:<status>" rule, e.g. "${DEFAULT_RETCODES}"` };
  return { rules };
}

export function statusForExitCode(rules: RetcodeRules, exitCode: number): Status {
  return rules.get(exitCode) ?? "warn";
}
