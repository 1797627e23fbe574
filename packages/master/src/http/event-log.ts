import { randomBytes } from "node:crypto";
import type { ClusterChange } from "./cluster-digest.js";

/** A change as the stream sends it: its id (`<log id>-<sequence>`) and when the master saw it. */
export interface ClusterEvent extends ClusterChange {
  readonly eventId: string;
  readonly at: number;
}

/** What a reader resuming from `Last-Event-ID` gets: the events it missed, or `reset` when they are gone. */
export type Resume =
  | { readonly kind: "events"; readonly events: ClusterEvent[] }
  | { readonly kind: "reset" };

/**
 * A bounded log of cluster events with ids, fanned out to live listeners. Ids carry this log's own
 * random prefix, so an id from before a master restart (or from another master) is told apart from
 * one that merely fell off the end: both answer `reset`, and the reader refetches.
 */
export class EventLog {
  readonly id = randomBytes(4).toString("hex");
  private readonly buffer: (ClusterEvent | undefined)[];
  private seq = 0;
  /** Ids up to this sequence cannot be resumed: changes after them went unrecorded (`gap`). */
  private resumableFrom = 0;
  private readonly listeners = new Set<(e: ClusterEvent) => void>();

  constructor(readonly capacity = 10_000) {
    this.buffer = new Array(capacity);
  }

  /** The id of the newest event (or of none yet: `<log id>-0`). */
  get lastEventId(): string {
    return `${this.id}-${this.seq}`;
  }

  append(change: ClusterChange, at: number): ClusterEvent {
    this.seq += 1;
    // Built field by field: a spread made this the log's costliest line in a 10,000-task simulation.
    const event: ClusterEvent = {
      kind: change.kind,
      op: change.op,
      id: change.id,
      data: change.data,
      eventId: `${this.id}-${this.seq}`,
      at,
    };
    this.buffer[this.seq % this.capacity] = event;
    for (const l of this.listeners) l(event);
    return event;
  }

  /**
   * Changes stop being recorded for a while (nobody listens): a reader holding an id from before
   * must refetch. Takes a sequence number of its own (an empty slot), so an id handed out after
   * the gap resumes.
   */
  gap(): void {
    this.seq += 1;
    this.buffer[this.seq % this.capacity] = undefined;
    this.resumableFrom = this.seq;
  }

  /** Events after `lastEventId`, oldest first; `reset` when that id is not from this log, too old, or before a gap. */
  since(lastEventId: string): Resume {
    const dash = lastEventId.lastIndexOf("-");
    const prefix = lastEventId.slice(0, dash);
    const n = Number(lastEventId.slice(dash + 1));
    if (dash < 0 || prefix !== this.id || !Number.isInteger(n) || n < 0 || n > this.seq)
      return { kind: "reset" };
    if (this.seq - n > this.capacity || n < this.resumableFrom) return { kind: "reset" };
    const events: ClusterEvent[] = [];
    for (let i = n + 1; i <= this.seq; i++) events.push(this.buffer[i % this.capacity]!);
    return { kind: "events", events };
  }

  /** The newest `count` events that `keep` accepts, oldest first. */
  recent(count: number, keep: (e: ClusterEvent) => boolean = () => true): ClusterEvent[] {
    const out: ClusterEvent[] = [];
    for (let i = this.seq; i > Math.max(0, this.seq - this.capacity) && out.length < count; i--) {
      const event = this.buffer[i % this.capacity];
      if (event && keep(event)) out.push(event);
    }
    return out.reverse();
  }

  listen(listener: (e: ClusterEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
