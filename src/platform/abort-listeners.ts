/**
 * Many listeners on one AbortSignal, cheaply: each signal gets a single "abort" listener that
 * calls every callback registered here. Adding and removing an EventTarget listener per run
 * costs more than the rest of a run's supervision; a Set does not.
 * Invariant: a callback is called at most once, and never after its remover has been called.
 */
const callbacksBySignal = new WeakMap<AbortSignal, Set<() => void>>();

/** Calls `onAbort` when `signal` aborts (not if it already has); returns the remover. */
export function whenAborted(signal: AbortSignal, onAbort: () => void): () => void {
  let callbacks = callbacksBySignal.get(signal);
  if (callbacks === undefined) {
    const set = new Set<() => void>();
    callbacks = set;
    callbacksBySignal.set(signal, set);
    signal.addEventListener("abort", () => {
      const pending = [...set];
      set.clear();
      for (const fn of pending) fn();
    }, { once: true });
  }
  const mine = callbacks;
  mine.add(onAbort);
  return () => void mine.delete(onAbort);
}
