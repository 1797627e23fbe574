import type { Authorization } from "@agora/security";
import type { MarathonEvent } from "../events.js";
import type { MarathonService } from "../service.js";

/** What every route plugin shares: the service, the version clock and the event fan-out. */
export interface HttpContext {
  service: MarathonService;
  /** An ISO version stamp later than every one handed out before (Marathon's versions are unique). */
  nextVersion(): string;
  now(): Date;
  events: EventHub;
  /** The ACLs' checks (`update_apps`); undefined without `--acls`: every write is allowed. */
  authorization?: Authorization | undefined;
}

/**
 * Fans the service's events out to `/v2/events` streams, plus the events the REST layer raises
 * itself (`api_post_event`, `event_stream_attached`/`detached`).
 */
export class EventHub {
  private readonly listeners = new Set<(event: MarathonEvent) => void>();
  private readonly unsubscribe: () => void;

  constructor(service: MarathonService) {
    this.unsubscribe = service.onEvent((event) => this.publish(event));
  }

  publish(event: MarathonEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  subscribe(listener: (event: MarathonEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get size(): number {
    return this.listeners.size;
  }

  close(): void {
    this.unsubscribe();
    this.listeners.clear();
  }
}

/**
 * Marathon's versions are ISO timestamps; two writes in one millisecond still get distinct ones, and
 * a new version is always later than `floor()` (the current root's), even when this Marathon's clock
 * runs behind the one of a leader before it.
 */
export function versionClock(now: () => Date, floor: () => string = () => ""): () => string {
  let last = 0;
  return () => {
    const stored = Date.parse(floor());
    last = Math.max(now().getTime(), last + 1, Number.isNaN(stored) ? 0 : stored + 1);
    return new Date(last).toISOString();
  };
}
