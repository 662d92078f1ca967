/**
 * References `{…}` in keyword values, evaluated when a value is read:
 * `{name}`, `{nodename}`, `{rid}`, `{env.key}`, `{section.option}`, `{option}`,
 * modifiers `{upper:name}` (upper, lower, capitalize, title, swapcase), `{#ref}` (number of
 * whitespace-separated words) and `{ref[n]}` (n-th word).
 *
 * Invariants:
 * - A text with the shape of a reference that resolves to nothing is an error (it would
 *   otherwise run literally, e.g. inside `rm -rf`); `{{` and `}}` stand for literal braces.
 * - `${…}` is shell syntax, never a reference: it is kept as written.
 * - One evaluation (a value and everything it references) has a budget of steps, depth and
 *   size; exceeding it is an error, never a hang.
 * - A substituted value is never scanned again (a value cannot inject a reference).
 */

import { ShellContext } from "./shell-context.js";

/** Looks a reference name up; undefined means unknown. May itself evaluate references with `at`. */
export type ReferenceLookup = (name: string, at: Expansion) => string | undefined;

export const MAX_REFERENCE_DEPTH = 20;
/** References evaluated for one value, nested ones included. */
export const MAX_REFERENCE_STEPS = 1_000;
/** Largest evaluated value (the kernel's limit on one exec argument, MAX_ARG_STRLEN). */
export const MAX_REFERENCE_CHARS = 128 * 1024;

export class ReferenceEvaluationError extends Error {}

/** Where an evaluation stands: its nesting depth and the budget shared by the whole evaluation. */
export interface Expansion {
  readonly depth: number;
  readonly budget: { steps: number };
}

export interface EvaluateOptions {
  /**
   * The value is a shell command line (or shell words): each substituted value is quoted
   * for the quoting context it lands in, so it stays one word and is never executed.
   */
  readonly shellQuote?: boolean;
}

type Segment = { literal: string } | { reference: string };

const REFERENCE_AT = /\{([#\w][\w#.:[\]/-]*)\}/y;

const MODIFIERS: Readonly<Record<string, (s: string) => string>> = {
  upper: (s) => s.toUpperCase(),
  lower: (s) => s.toLowerCase(),
  capitalize: (s) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase(),
  title: (s) => s.toLowerCase().replace(/(^|[^a-z])([a-z])/g, (_m, p: string, c: string) => p + c.toUpperCase()),
  swapcase: (s) => s.replace(/[a-z]/gi, (c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())),
};

export function evaluateReferences(text: string, lookup: ReferenceLookup, at?: Expansion, options: EvaluateOptions = {}): string {
  if (!text.includes("{") && !text.includes("}")) return text;
  const here = at ?? { depth: 0, budget: { steps: 0 } };
  if (here.depth > MAX_REFERENCE_DEPTH) throw new ReferenceEvaluationError(`references nested deeper than ${MAX_REFERENCE_DEPTH} levels (a reference loop?)`);
  const shell = options.shellQuote === true ? new ShellContext() : undefined;
  let out = "";
  for (const segment of parseSegments(text)) {
    if ("literal" in segment) {
      shell?.feed(segment.literal);
      out += segment.literal;
    } else {
      const value = evaluateOne(segment.reference, lookup, { depth: here.depth + 1, budget: here.budget });
      out += shell === undefined ? value : shell.quote(value);
    }
    if (out.length > MAX_REFERENCE_CHARS) throw new ReferenceEvaluationError(`references expand to more than ${MAX_REFERENCE_CHARS} characters`);
  }
  return out;
}

/**
 * The text to write in a keyword value so that it reads back as `text` itself, with no
 * reference: braces doubled, `${…}` (shell syntax, never a reference) kept as written.
 * Invariant: parseSegments(escapeReferences(t)) is one literal equal to t (or none for "").
 */
export function escapeReferences(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    if (text.startsWith("${", i)) {
      const end = text.indexOf("}", i);
      const stop = end < 0 ? text.length : end + 1;
      out += text.slice(i, stop);
      i = stop;
      continue;
    }
    const c = text[i]!;
    out += c === "{" || c === "}" ? c + c : c;
    i++;
  }
  return out;
}

/** Splits a text into literal runs (braces unescaped, `${…}` kept) and reference bodies. */
export function parseSegments(text: string): Segment[] {
  const segments: Segment[] = [];
  let literal = "";
  let i = 0;
  while (i < text.length) {
    const pair = text.slice(i, i + 2);
    if (pair === "{{" || pair === "}}") {
      literal += pair[0];
      i += 2;
      continue;
    }
    if (pair === "${") {
      const end = text.indexOf("}", i);
      const stop = end < 0 ? text.length : end + 1;
      literal += text.slice(i, stop);
      i = stop;
      continue;
    }
    REFERENCE_AT.lastIndex = i;
    const m = text[i] === "{" ? REFERENCE_AT.exec(text) : null;
    if (m !== null) {
      if (literal !== "") segments.push({ literal });
      segments.push({ reference: m[1]! });
      literal = "";
      i += m[0].length;
      continue;
    }
    literal += text[i];
    i++;
  }
  if (literal !== "") segments.push({ literal });
  return segments;
}

function evaluateOne(body: string, lookup: ReferenceLookup, at: Expansion): string {
  if (++at.budget.steps > MAX_REFERENCE_STEPS) {
    throw new ReferenceEvaluationError(`references need more than ${MAX_REFERENCE_STEPS} evaluations (a reference fan-out?)`);
  }
  const v = evaluateModified(body, lookup, at);
  if (v === undefined) {
    throw new ReferenceEvaluationError(
      `reference {${body}} resolves to nothing (no such built-in, keyword or [env] key here); write {{ and }} for literal braces`,
    );
  }
  return v;
}

function evaluateModified(body: string, lookup: ReferenceLookup, at: Expansion): string | undefined {
  if (body.startsWith("#")) {
    const v = lookup(body.slice(1), at);
    return v === undefined ? undefined : String(words(v).length);
  }
  const colon = body.indexOf(":");
  if (colon > 0 && MODIFIERS[body.slice(0, colon)] !== undefined) {
    const v = evaluateModified(body.slice(colon + 1), lookup, at);
    return v === undefined ? undefined : MODIFIERS[body.slice(0, colon)]!(v);
  }
  const indexed = /^(.+)\[(\d+)\]$/.exec(body);
  if (indexed !== null) {
    const v = lookup(indexed[1]!, at);
    return v === undefined ? undefined : (words(v)[Number(indexed[2])] ?? "");
  }
  return lookup(body, at);
}

function words(s: string): string[] {
  return s.split(/\s+/).filter((w) => w !== "");
}
