import { DURATION_UNIT_MS } from "../core/duration.js";
import { fail } from "./errors.js";

/**
 * OpenSVC interval text → ms (om3 semantics, design §6): Go-style durations such as `1h30m`,
 * `1.5h`, `90s`, plus `d` (24 h), `w` (7 d) and `y` (365 d). A bare number is minutes.
 * Empty, zero, negative or unknown units are errors.
 */
const UNIT_MS: Readonly<Record<string, number>> = {
  ...DURATION_UNIT_MS,
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  "μs": 1e-3,
  y: 31_536_000_000,
};

const BARE = /^(\d+(?:\.\d*)?|\.\d+)$/;
const TERM = /(\d+(?:\.\d*)?|\.\d+)([^\d.]+)/y;

export function parseInterval(text: string): number {
  if (text === "") fail(`empty interval after "@" (write e.g. @10 for 10 minutes, @1h, @30s)`);
  const t = text.toLowerCase();
  const ms = BARE.test(t) ? Number(t) * 60_000 : sumTerms(text, t);
  if (!(ms >= 1)) fail(`interval "${text}" is ${ms === 0 ? "zero" : "shorter than 1ms"} (use @0 alone for "no schedule")`);
  return Math.round(ms);
}

function sumTerms(orig: string, t: string): number {
  let total = 0;
  let end = 0;
  TERM.lastIndex = 0;
  for (let m = TERM.exec(t); m !== null; m = TERM.exec(t)) {
    const unit = UNIT_MS[m[2]!];
    if (unit === undefined) fail(`unknown unit "${m[2]}" in interval "${orig}" (units: ms s m h d w y)`);
    total += Number(m[1]) * unit;
    end = TERM.lastIndex;
  }
  if (end !== t.length) fail(`interval "${orig}" is not a duration (e.g. 10, 90s, 1h30m, 1.5h, 2d)`);
  return total;
}
