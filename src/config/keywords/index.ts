import type { Keyword, SectionKind } from "../keyword.js";
import { defaultKeywords } from "./default.js";
import { taskKeywords } from "./task.js";
import { appKeywords, fsKeywords, ipKeywords, subsetKeywords } from "./resources.js";

/** Every keyword svcmgr knows, by section kind. */
export const KEYWORDS: Readonly<Record<SectionKind, readonly Keyword[]>> = {
  DEFAULT: defaultKeywords,
  task: taskKeywords,
  fs: fsKeywords,
  ip: ipKeywords,
  app: appKeywords,
  subset: subsetKeywords,
};

export const SECTION_KINDS = Object.keys(KEYWORDS) as SectionKind[];

export function findKeyword(kind: SectionKind, option: string): Keyword | undefined {
  return KEYWORDS[kind].find((k) => k.option === option);
}

/** Closest known option names, for "did you mean" hints. */
export function suggestKeywords(kind: SectionKind, option: string): string[] {
  return closestNames(option, KEYWORDS[kind].map((k) => k.option));
}

/** Up to 3 of `names` within a few edits of `word`, closest first. */
export function closestNames(word: string, names: readonly string[]): string[] {
  return names
    .map((name) => ({ name, d: editDistance(word.toLowerCase(), name) }))
    .filter((c) => c.d <= Math.max(2, Math.floor(word.length / 3)))
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
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
