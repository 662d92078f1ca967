/**
 * One owner, one event at a time: posted events are handled in arrival order in a microtask,
 * never re-entrantly (an event posted while handling waits for the current pass), then
 * `afterPass` runs once per pass.
 */
import { Fifo } from "./fifo.js";

export class SerialLoop<E> {
  private readonly events = new Fifo<E>();
  private scheduled = false;

  constructor(private readonly handle: (e: E) => void, private readonly afterPass: () => void) {}

  post(event: E): void {
    this.events.push(event);
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => this.drain());
  }

  private drain(): void {
    this.scheduled = false;
    for (let e = this.events.shift(); e !== undefined; e = this.events.shift()) this.handle(e);
    this.afterPass();
  }
}
