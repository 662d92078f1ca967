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

/**
 * A rid's index names directories (`<var>/…/<rid>/`, `<log>/runs/…/<rid>/`): it is 1 to 64
 * letters, digits, '_', '-' or '.', and starts with a letter, digit or '_', so a rid is always
 * one plain path component (never `..`, never a `/`).
 */
const RID_INDEX = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;

export const RID_INDEX_ALLOWED = "1 to 64 letters, digits, '_', '-' or '.', starting with a letter, digit or '_'";

export function isValidRidIndex(index: string): boolean {
  return RID_INDEX.test(index);
}

/** Natural order: `task#2` before `task#10`. */
export function compareRids(a: string, b: string): number {
  return naturalCompare(a, b);
}
