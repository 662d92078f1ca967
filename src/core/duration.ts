/**
 * Durations as operators write them: `90`, `1m30s`, `1.5h`, `2d`, `500ms`.
 * A bare number takes the caller's default unit (seconds for timeouts).
 * Returns milliseconds, or null when the text is not a duration.
 */
export const DURATION_UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const TERM = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;

export function parseDuration(text: string, bareUnit: "s" | "m" = "s"): number | null {
  const t = text.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * DURATION_UNIT_MS[bareUnit]!);
  if (t === "") return null;
  let total = 0;
  TERM.lastIndex = 0;
  let end = 0;
  for (let m = TERM.exec(t); m !== null; m = TERM.exec(t)) {
    total += Number(m[1]) * DURATION_UNIT_MS[m[2]!]!;
    end = TERM.lastIndex;
  }
  return end === t.length ? Math.round(total) : null;
}

/** `1h2m3s`-style rendering for humans; sub-second values in ms. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let s = Math.round(ms / 1000);
  const parts: string[] = [];
  for (const [unit, size] of [["d", 86400], ["h", 3600], ["m", 60]] as const) {
    if (s >= size) {
      parts.push(`${Math.floor(s / size)}${unit}`);
      s %= size;
    }
  }
  if (s > 0 || parts.length === 0) parts.push(`${s}s`);
  return parts.join("");
}
