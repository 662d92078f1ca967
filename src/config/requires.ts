import { isStatus, type Status } from "../core/status.js";

/**
 * `run_requires`: whitespace-separated conditions `<rid>[(<state>[,<state>…])]`.
 * States may be separated by "," with optional spaces (`ip#1(up, stdby up)`); without
 * states, `up` or `stdby up` is expected. `na` is accepted for `n/a`.
 */
export interface Requirement {
  readonly rid: string;
  readonly states: readonly Status[];
}

export const DEFAULT_REQUIRED_STATES: readonly Status[] = ["up", "stdby up"];

export function parseRequires(text: string): { requirements: Requirement[] } | { error: string } {
  const requirements: Requirement[] = [];
  const re = /\s*([^\s(]+)(?:\(([^)]*)\))?/gy;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(text)) !== null && m[0].trim() !== "") {
    end = re.lastIndex;
    const states = m[2] === undefined ? DEFAULT_REQUIRED_STATES : parseStates(m[2]);
    if (typeof states === "string") return { error: `conditions <rid>(<state>,…) where ${states}` };
    if (!/^[\w.-]+#[\w.-]+$/.test(m[1]!)) return { error: `conditions <rid>(<state>,…) with a rid such as fs#1 ("${m[1]}" is not)` };
    requirements.push({ rid: m[1]!, states });
  }
  if (text.slice(end).trim() !== "") return { error: `conditions <rid>(<state>,…) ("${text.slice(end).trim()}" cannot be read)` };
  return { requirements };
}

function parseStates(text: string): Status[] | string {
  const states: Status[] = [];
  for (const raw of text.split(",")) {
    const s = raw.trim().replace(/\s+/g, " ");
    const state = s === "na" ? "n/a" : s;
    if (!isStatus(state)) return `a state is one of up, down, warn, n/a, undef, stdby up, stdby down ("${s}" is not)`;
    states.push(state);
  }
  return states;
}

/** Human form used in messages: `fs#1(up,stdby up)`. */
export function formatRequirement(r: Requirement): string {
  return `${r.rid}(${r.states.join(",")})`;
}

/** OpenSVC's message for the first unmet requirement, or null when all are met. */
export function unmetRequirement(reqs: readonly Requirement[], states: ReadonlyMap<string, Status>): string | null {
  for (const r of reqs) {
    const current = states.get(r.rid) ?? "undef";
    if (!r.states.includes(current)) {
      return `requires on resource ${r.rid} in state ${r.states.join(" or ")}, current state ${current}`;
    }
  }
  return null;
}
