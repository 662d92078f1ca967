import { naturalCompare } from "./natural-order.js";

/**
 * Resource ids: `<group>#<index>` (`task#0`, `fs#data`). The group picks the driver family.
 */
export interface Rid {
  readonly group: string;
  readonly index: string;
}

export function parseRid(rid: string): Rid | null {
  const at = rid.indexOf("#");
  if (at <= 0 || at === rid.length - 1) return null;
  return { group: rid.slice(0, at), index: rid.slice(at + 1) };
}

/** Natural order: `task#2` before `task#10`. */
export function compareRids(a: string, b: string): number {
  return naturalCompare(a, b);
}
