import type { Logger } from "pino";
import type { MarathonEvent } from "../events.js";

/** An event before it is stamped with its time. */
export type EventBody = MarathonEvent extends infer E
  ? E extends unknown
    ? Omit<E, "timestamp">
    : never
  : never;

/** Marathon's event bus: the runtime emits, `/v2/events` streams (and tests) listen. */
export class EventHub {
  private readonly listeners = new Set<(event: MarathonEvent) => void>();

  constructor(private readonly logger: Logger) {}

  /** Stamps `body` with the current time and emits it. */
  publish(body: EventBody, now: number): void {
    this.emit({ ...body, timestamp: new Date(now).toISOString() } as MarathonEvent);
  }

  private emit(event: MarathonEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        // One broken subscriber must not stop the others or the runtime that emitted.
        this.logger.error({ err, eventType: event.eventType }, "event listener failed");
      }
    }
  }

  on(listener: (event: MarathonEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
