import type { Context } from "hono";
import type { $ZodIssue } from "zod/v4/core";
import type * as z from "zod/mini";
import { ApiProblem } from "./problem.js";
import { parseDuration } from "../core/duration.js";

/**
 * Reading what a client sent: JSON bodies checked against their schema (every problem said,
 * by field), query parameters, durations. Anything wrong is a 4xx ApiProblem before any
 * action is taken.
 */
export async function readJson<T>(c: Context, schema: z.ZodMiniType<T>): Promise<T> {
  const type = c.req.header("content-type") ?? "";
  const text = await c.req.text();
  if (text.trim() === "") return check(schema, {});
  if (!/^application\/(.+\+)?json\b/i.test(type)) throw new ApiProblem(415, `the body must be JSON (Content-Type: application/json), not ${type === "" ? "untyped" : `"${type}"`}`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ApiProblem(400, `malformed JSON body: ${(e as Error).message}`);
  }
  return check(schema, value);
}

function check<T>(schema: z.ZodMiniType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map(describeIssue);
  throw new ApiProblem(400, `invalid body: ${issues.map((i) => i.text).join("; ")}`, { errors: issues.map((i) => ({ field: i.field, detail: i.text })) });
}

function describeIssue(issue: $ZodIssue): { field: string; text: string } {
  const field = issue.path.map(String).join(".") || "(body)";
  switch (issue.code) {
    case "unrecognized_keys":
      return { field: issue.keys.join(", "), text: `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}` };
    case "invalid_type":
      return { field, text: `${field}: expected ${issue.expected}` };
    case "invalid_union":
      return { field, text: `${field}: not one of the accepted forms` };
    case "too_small":
      return { field, text: `${field}: at least ${String(issue.minimum)}` };
    case "too_big":
      return { field, text: `${field}: at most ${String(issue.maximum)}` };
    default:
      return { field, text: `${field}: ${issue.message}` };
  }
}

/** The longest `wait` a run request may ask for. */
export const MAX_WAIT_MS = 10 * 60_000;

/** A duration parameter (`30s`, `5m`, or seconds) within [0, maxMs]; `field` names it in errors. */
export function durationParam(value: string | number, field: string, maxMs: number): number {
  const ms = typeof value === "number" ? (Number.isFinite(value) && value >= 0 ? value * 1000 : null) : parseDuration(value);
  if (ms === null) throw new ApiProblem(400, `${field}: "${value}" is not a duration (30s, 5m, or a number of seconds)`, { field });
  if (ms > maxMs) throw new ApiProblem(400, `${field}: at most ${maxMs / 60_000} minutes`, { field });
  return ms;
}

/** A whole number query parameter within [min, max], or `fallback` when absent. */
export function intParam(c: Context, name: string, fallback: number, min: number, max: number): number {
  const text = c.req.query(name);
  if (text === undefined || text === "") return fallback;
  if (!/^\d+$/.test(text)) throw new ApiProblem(400, `${name}: expected a whole number, got "${text}"`, { field: name });
  const n = Number(text);
  if (n < min || n > max) throw new ApiProblem(400, `${name}: expected ${min} to ${max}, got ${n}`, { field: name });
  return n;
}

/** A time query parameter: ISO 8601 or epoch seconds; undefined when absent. */
export function timeParam(c: Context, name: string): number | undefined {
  const text = c.req.query(name);
  if (text === undefined || text === "") return undefined;
  const ms = /^\d+(\.\d+)?$/.test(text) ? Number(text) * 1000 : Date.parse(text);
  if (!Number.isFinite(ms)) throw new ApiProblem(400, `${name}: expected an ISO 8601 time or epoch seconds, got "${text}"`, { field: name });
  return ms;
}
