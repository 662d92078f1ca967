/**
 * Sizes for limit_* keywords: `1024`, `64k`, `512m`, `2g`, `1t`, optionally with `b`/`ib`
 * (`64KiB`, `2GB`). Units are powers of 1024. Returns bytes, or null when invalid.
 */
const UNIT: Readonly<Record<string, number>> = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

export function parseSize(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?$/i.exec(text.trim());
  if (m === null) return null;
  return Math.round(Number(m[1]) * UNIT[m[2]!.toLowerCase()]!);
}

/** Bytes as said in messages: `512 MiB`, `1.5 GiB`, `300 B`. */
export function formatSize(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : Number(value.toFixed(1))} ${units[unit]}`;
}
