import type { Keyword, SectionKind } from "../keyword.js";
import { closestNames } from "../../core/suggest.js";
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

const BY_OPTION: ReadonlyMap<SectionKind, ReadonlyMap<string, Keyword>> = new Map(
  SECTION_KINDS.map((kind) => [kind, new Map(KEYWORDS[kind].map((k) => [k.option, k]))]),
);

export function findKeyword(kind: SectionKind, option: string): Keyword | undefined {
  return BY_OPTION.get(kind)?.get(option);
}

/** Closest known option names, for "did you mean" hints. */
export function suggestKeywords(kind: SectionKind, option: string): string[] {
  return closestNames(option, KEYWORDS[kind].map((k) => k.option));
}
