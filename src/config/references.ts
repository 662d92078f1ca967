/**
 * References `{…}` in keyword values, evaluated when a value is read:
 * `{name}`, `{nodename}`, `{rid}`, `{env.key}`, `{section.option}`, `{option}`,
 * modifiers `{upper:name}` (upper, lower, capitalize, title, swapcase), `{#ref}` (number of
 * whitespace-separated words) and `{ref[n]}` (n-th word). An unknown reference stays as
 * written, so shell syntax such as `${HOME}` survives.
 */

/** Looks a reference name up; undefined means unknown. May itself evaluate references. */
export type ReferenceLookup = (name: string, depth: number) => string | undefined;

export const MAX_REFERENCE_DEPTH = 20;

export class ReferenceLoopError extends Error {}

const REFERENCE = /\{([#\w][\w#.:[\]/-]*)\}/g;

const MODIFIERS: Readonly<Record<string, (s: string) => string>> = {
  upper: (s) => s.toUpperCase(),
  lower: (s) => s.toLowerCase(),
  capitalize: (s) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase(),
  title: (s) => s.toLowerCase().replace(/(^|[^a-z])([a-z])/g, (_m, p: string, c: string) => p + c.toUpperCase()),
  swapcase: (s) => s.replace(/[a-z]/gi, (c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())),
};

export function evaluateReferences(text: string, lookup: ReferenceLookup, depth = 0): string {
  if (!text.includes("{")) return text;
  if (depth > MAX_REFERENCE_DEPTH) throw new ReferenceLoopError(`references nested deeper than ${MAX_REFERENCE_DEPTH} levels (a reference loop?)`);
  return text.replace(REFERENCE, (whole, body: string) => evaluateOne(body, lookup, depth + 1) ?? whole);
}

function evaluateOne(body: string, lookup: ReferenceLookup, depth: number): string | undefined {
  if (body.startsWith("#")) {
    const v = lookup(body.slice(1), depth);
    return v === undefined ? undefined : String(words(v).length);
  }
  const colon = body.indexOf(":");
  if (colon > 0 && MODIFIERS[body.slice(0, colon)] !== undefined) {
    const v = evaluateOne(body.slice(colon + 1), lookup, depth);
    return v === undefined ? undefined : MODIFIERS[body.slice(0, colon)]!(v);
  }
  const indexed = /^(.+)\[(\d+)\]$/.exec(body);
  if (indexed !== null) {
    const v = lookup(indexed[1]!, depth);
    return v === undefined ? undefined : (words(v)[Number(indexed[2])] ?? "");
  }
  return lookup(body, depth);
}

function words(s: string): string[] {
  return s.split(/\s+/).filter((w) => w !== "");
}
