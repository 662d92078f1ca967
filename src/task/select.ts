import { globToRegExp, isGlob } from "../config/glob.js";
import { compareRids, parseRid } from "../core/rid.js";

/**
 * Which tasks a `run` acts on (OpenSVC 2.1 semantics). Each given selector filters, and
 * the filters intersect:
 * - `--rid a,b`: a spec with `#` is an exact rid (or a glob such as `task#*`), a spec with `.`
 *   a driver type (`task.host`), anything else a driver group (`task`);
 * - `--tags x+y,z`: `,` is OR, `+` is AND and binds tighter;
 * - `--subsets s1,s2`: tasks in one of these subsets.
 * No selector: every task. Result in natural rid order.
 */
export interface Selectable {
  readonly rid: string;
  readonly type: string;
  readonly tags: readonly string[];
  readonly subset?: string;
}

export interface Selectors {
  readonly rid?: string;
  readonly tags?: string;
  readonly subsets?: string;
}

export const NO_MATCH_MESSAGE = "no resource match the given --rid, --subset and --tags specifiers";

export function selectTasks<T extends Selectable>(tasks: readonly T[], sel: Selectors): T[] {
  return tasks
    .filter((t) => sel.rid === undefined || matchesRidSpecs(t, sel.rid))
    .filter((t) => sel.tags === undefined || matchesTags(t.tags, sel.tags))
    .filter((t) => sel.subsets === undefined || list(sel.subsets).includes(t.subset ?? ""))
    .sort((a, b) => compareRids(a.rid, b.rid));
}

function list(text: string): string[] {
  return text.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

function matchesRidSpecs(t: Selectable, specs: string): boolean {
  return list(specs).some((spec) => {
    if (isGlob(spec)) return globToRegExp(spec).test(t.rid);
    if (spec.includes("#")) return spec === t.rid;
    if (spec.includes(".")) return spec === t.type;
    return parseRid(t.rid)?.group === spec;
  });
}

/**
 * `a+b,c`: (a AND b) OR c; blanks around tags are ignored. A term with no tag (`+`, as a
 * script's `"$A+$B"` gives with both unset) matches nothing: it never widens to every task.
 */
export function matchesTags(tags: readonly string[], expr: string): boolean {
  return list(expr).some((group) => {
    const all = group.split("+").map((t) => t.trim()).filter((t) => t !== "");
    return all.length > 0 && all.every((t) => tags.includes(t));
  });
}
