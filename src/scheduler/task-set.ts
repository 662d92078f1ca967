/**
 * Reload arithmetic: how a service's new task list relates to what the scheduler holds.
 * An entry with the same digest is unchanged and keeps its state and timer untouched.
 */
import type { ScheduledTask } from "./task.js";

export interface ServiceDiff {
  readonly added: readonly ScheduledTask[];
  readonly changed: readonly ScheduledTask[];
  readonly unchanged: readonly ScheduledTask[];
  /** Keys held before and absent now. */
  readonly removed: readonly string[];
}

/** `current` maps each key the service had to its config digest. */
export function diffService(current: ReadonlyMap<string, string>, next: readonly ScheduledTask[]): ServiceDiff {
  const added: ScheduledTask[] = [];
  const changed: ScheduledTask[] = [];
  const unchanged: ScheduledTask[] = [];
  const seen = new Set<string>();
  for (const task of next) {
    seen.add(task.key);
    const digest = current.get(task.key);
    if (digest === undefined) added.push(task);
    else if (digest === task.configDigest) unchanged.push(task);
    else changed.push(task);
  }
  const removed = [...current.keys()].filter((key) => !seen.has(key));
  return { added, changed, unchanged, removed };
}
