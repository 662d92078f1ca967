/**
 * Stopping one run of the daemon's (the API's and the UI's "stop"): each run the daemon starts
 * gets its own AbortController, linked to the daemon's (so the grace period still stops
 * everything), registered under its record id from `begin` until the run ends. Aborting it
 * stops the task the way a daemon stop does: the process group gets SIGTERM then SIGKILL, and
 * the record says `aborted`.
 */
export class RunControls {
  private readonly byRun = new Map<number, { controller: AbortController; by: string | null }>();

  /** A controller aborted with `parent` (the daemon's stop) or by `stop`. */
  controller(parent: AbortSignal): AbortController {
    const c = new AbortController();
    if (parent.aborted) c.abort(parent.reason);
    else parent.addEventListener("abort", () => c.abort(parent.reason), { once: true });
    return c;
  }

  register(id: number, controller: AbortController): void {
    this.byRun.set(id, { controller, by: null });
  }

  release(id: number): void {
    this.byRun.delete(id);
  }

  /** Asks run `id` to stop; false when this daemon is not running it. */
  stop(id: number, by: string): boolean {
    const entry = this.byRun.get(id);
    if (entry === undefined) return false;
    entry.by = by;
    entry.controller.abort(new Error(`stopped by ${by}`));
    return true;
  }
}
