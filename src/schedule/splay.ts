/**
 * Deterministic spread for `~` windows (systemd's FixedRandomDelay idea): the delay is a hash of
 * the task's splay key and the window's start, so it is the same on every call and after every
 * restart, and different tasks land at different points of the same window.
 */

/** FNV-1a over the key, mixed with the window start, finished with murmur3's fmix32. */
export function splayFraction(key: string, windowStart: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  const secs = Math.floor(windowStart / 1000);
  h ^= secs | 0;
  h = Math.imul(h, 0x01000193);
  h ^= Math.floor(secs / 0x1_0000_0000) | 0;
  h = Math.imul(h, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 0x1_0000_0000;
}

/**
 * The splayed run time of a window [start, start + length]: start + fraction × (length − 1 s),
 * whole seconds. Bounds follow OpenSVC: the delay never reaches the last second of the window.
 */
export function splayTarget(key: string, windowStart: number, length: number): number {
  const room = Math.max(0, length - 1000);
  return windowStart + Math.floor((splayFraction(key, windowStart) * room) / 1000) * 1000;
}
