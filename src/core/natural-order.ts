/**
 * Natural order for identifiers: runs of digits compare by value, everything else by code
 * unit, so `task#2` sorts before `task#10` and `db2` before `db10`. Plain string code, not
 * Intl.Collator: building a collator costs milliseconds on every CLI call.
 */
export function naturalCompare(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (isDigit(a.charCodeAt(i)) && isDigit(b.charCodeAt(j))) {
      const endA = digitRunEnd(a, i);
      const endB = digitRunEnd(b, j);
      const byValue = compareDigitRuns(a.slice(i, endA), b.slice(j, endB));
      if (byValue !== 0) return byValue;
      i = endA;
      j = endB;
    } else {
      const diff = a.charCodeAt(i) - b.charCodeAt(j);
      if (diff !== 0) return diff;
      i++;
      j++;
    }
  }
  return a.length - i - (b.length - j) || (a < b ? -1 : a > b ? 1 : 0);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function digitRunEnd(s: string, from: number): number {
  let end = from;
  while (end < s.length && isDigit(s.charCodeAt(end))) end++;
  return end;
}

/** By numeric value (any length, no overflow); equal values with more leading zeros last. */
function compareDigitRuns(x: string, y: string): number {
  const sx = x.replace(/^0+(?=\d)/, "");
  const sy = y.replace(/^0+(?=\d)/, "");
  if (sx.length !== sy.length) return sx.length - sy.length;
  if (sx !== sy) return sx < sy ? -1 : 1;
  return x.length - y.length;
}
