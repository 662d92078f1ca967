import { parseDuration } from "../core/duration.js";
import { parseSize } from "../core/size.js";
import type { Keyword } from "./keyword.js";
import { parseRetcodes } from "./retcodes.js";
import { parseRequires } from "./requires.js";
import { shellWordsOrError, splitShellWords } from "../core/shlex.js";
import { checkStoreUrl } from "../core/store-url.js";
import { IMAGE_ALLOWED, imageProblem, runArgsOf, RUN_ARGS_ALLOWED, VOLUME_ALLOWED, volumesOf } from "./container-values.js";

/**
 * Text → typed value for one keyword. A failure says what is allowed, never where:
 * the caller adds file:line, section and keyword.
 */
export type Converted = { ok: true; value: unknown } | { ok: false; allowed: string };

const TRUE = ["true", "yes", "y", "on", "1"];
const FALSE = ["false", "no", "n", "off", "0"];

export function parseBool(text: string): boolean | null {
  const t = text.trim().toLowerCase();
  if (TRUE.includes(t)) return true;
  if (FALSE.includes(t)) return false;
  return null;
}

export function isValidTimezone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** `environment` entries: shell words of the form NAME=value, names kept as written. */
export function parseEnvironment(text: string): Record<string, string> | string {
  const words = shellWordsOrError(text);
  if (typeof words === "string") return words;
  const env: Record<string, string> = {};
  for (const w of words) {
    const eq = w.indexOf("=");
    if (eq <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(w.slice(0, eq))) return `"${w}" is not NAME=value`;
    env[w.slice(0, eq)] = w.slice(eq + 1);
  }
  return env;
}

type Convert = (text: string, kw: Keyword) => Converted;

const ok = (value: unknown): Converted => ({ ok: true, value });
const bad = (allowed: string): Converted => ({ ok: false, allowed });

const CONVERTERS: Readonly<Record<Keyword["converter"], Convert>> = {
  string: (t) => ok(t),
  command: (t) => ok(t),
  bool: (t) => {
    const b = parseBool(t);
    return b === null ? bad("a boolean: true/false, yes/no, on/off, 1/0") : ok(b);
  },
  int: (t, kw) => {
    if (!/^[+-]?\d+$/.test(t.trim())) return bad(`an integer${kw.min === undefined ? "" : ` >= ${kw.min}`}`);
    const n = Number(t);
    return kw.min !== undefined && n < kw.min ? bad(`an integer >= ${kw.min}`) : ok(n);
  },
  duration: (t) => {
    const ms = parseDuration(t, "s");
    return ms === null ? bad("a duration such as 30, 90s, 5m, 1h30m, 2d (a bare number is seconds)") : ok(ms);
  },
  size: (t, kw) => {
    const n = parseSize(t);
    if (n === null) return bad(`a size such as 1024, 64k, 512m, 2g${kw.min === undefined ? "" : ` (at least ${kw.min} bytes)`}`);
    return kw.min !== undefined && n < kw.min ? bad(`a size of at least ${kw.min} bytes`) : ok(n);
  },
  list: (t) => ok(t.split(/\s+/).filter((w) => w !== "")),
  environment: (t) => {
    const env = parseEnvironment(t);
    return typeof env === "string" ? bad(`whitespace-separated NAME=value entries (${env})`) : ok(env);
  },
  umask: (t) => (/^[0-7]{1,4}$/.test(t.trim()) ? ok(parseInt(t, 8)) : bad("an octal umask such as 022 or 0027")),
  // Schedules are checked by the schedule engine during validation (see validate.ts).
  schedule: (t) => ok(t),
  requires: (t) => {
    const r = parseRequires(t);
    return "error" in r ? bad(r.error) : ok(r.requirements);
  },
  retcodes: (t) => {
    const r = parseRetcodes(t);
    return "error" in r ? bad(r.error) : ok(r.rules);
  },
  timezone: (t) => (isValidTimezone(t.trim()) ? ok(t.trim()) : bad("an IANA time zone such as UTC, Europe/Paris, America/New_York")),
  store: (t) => {
    const problem = checkStoreUrl(t.trim());
    return problem === null ? ok(t.trim()) : bad(`sqlite (the embedded history, the default) or a postgresql://[USER[:PASSWORD]@]HOST[:PORT]/DATABASE URL (${problem})`);
  },
  decimal: (t, kw) => {
    const n = /^\d+(\.\d+)?$/.test(t.trim()) ? Number(t) : NaN;
    const min = kw.min ?? 0;
    return Number.isFinite(n) && n > min ? ok(n) : bad(`a number above ${min}, such as 0.5 or 2`);
  },
  path: (t) => (t.trim().startsWith("/") && !t.includes("\0") ? ok(t.trim()) : bad("an absolute path")),
  urls: (t) => {
    const list = t.split(",").map((u) => u.trim()).filter((u) => u !== "");
    const badOne = list.find((u) => !/^https?:\/\/[^/\s]+\/?$/.test(u));
    if (list.length === 0 || badOne !== undefined) return bad(`a comma list of http://HOST:PORT or https://HOST:PORT endpoints${badOne === undefined ? "" : ` ("${badOne}" is not one)`}`);
    return ok(list.join(","));
  },
  image: (t) => {
    const problem = imageProblem(t);
    return problem === null ? ok(t.trim()) : bad(`${IMAGE_ALLOWED} (${problem})`);
  },
  words: (t) => {
    try {
      return ok(splitShellWords(t));
    } catch (e) {
      return bad(`shell words (${(e as Error).message})`);
    }
  },
  volumes: (t) => {
    const v = volumesOf(t);
    return typeof v === "string" ? bad(`${VOLUME_ALLOWED} (${v})`) : ok(v);
  },
  run_args: (t) => {
    const v = runArgsOf(t);
    return typeof v === "string" ? bad(`${RUN_ARGS_ALLOWED} (${v})`) : ok(v);
  },
  enum: (t, kw) => (kw.candidates!.includes(t.trim()) ? ok(t.trim()) : bad(`one of: ${kw.candidates!.map((c) => (c === "" ? '""' : c)).join(", ")}`)),
};

export function convert(kw: Keyword, text: string): Converted {
  return CONVERTERS[kw.converter](text, kw);
}
