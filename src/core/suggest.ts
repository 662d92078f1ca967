/** "Did you mean" candidates: the known names closest to a misspelled one (edit distance). */
export function closestNames(word: string, known: readonly string[], max = 3): string[] {
  const w = word.toLowerCase();
  const within = Math.max(2, Math.floor(word.length / 3));
  // The distance is at least the length difference: far lengths are skipped without computing it.
  return known
    .filter((name) => Math.abs(name.length - word.length) <= within)
    .map((name) => ({ name, d: editDistance(w, name.toLowerCase()) }))
    .filter((c) => c.d <= within)
    .sort((a, b) => a.d - b.d)
    .slice(0, max)
    .map((c) => c.name);
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
