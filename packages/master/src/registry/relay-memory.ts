/**
 * How long after relaying an agent's update the master takes further copies of it for ones its
 * first relay's acknowledgement will answer: the framework's acknowledgement comes back through the
 * master's call queue, seconds behind when the master is busy. A framework that lost the update (it
 * was failing over) gets the agent's first copy after this; it learns the task's state sooner from
 * the implicit reconciliation its SDK sends on re-subscribing.
 */
export const RELAY_QUIET_MS = 30_000;

/** Uuids remembered, oldest forgotten first: ~20 s of updates at 5,000 tasks/s (~15 MB). */
export const RELAY_MEMORY = 200_000;

const ACKNOWLEDGED = -1;

/** What to do with an agent's copy of an update the master already relayed. */
export type CopyVerdict = "relay" | "drop" | "acknowledge";

/**
 * The agent updates this master relayed lately (by uuid), when, and whether their framework has
 * acknowledged them. An agent resends an update it has not seen acknowledged after 10 s, then 20 s,
 * 40 s…; a master that far behind on its agents' messages got each update two or three times, and
 * relaying every copy (the framework decodes it, its SDK acknowledges it again, the master forwards
 * that too) put it further behind: 2.6 copies per update in an overloaded run. A copy is therefore
 * answered here when the framework has already acknowledged the update, and dropped while that
 * acknowledgement may still be on its way. No I/O.
 */
export class RelayMemory {
  /** Relay time in clock ms, or `ACKNOWLEDGED`. */
  private readonly relayed = new Map<string, number>();
  private readonly order: (string | undefined)[];
  private next = 0;

  constructor(private readonly capacity: number = RELAY_MEMORY) {
    this.order = new Array(capacity);
  }

  /** The master relays `uuid` now (again, when a copy was let through). */
  relay(uuid: string, now: number): void {
    if (!this.relayed.has(uuid)) {
      const oldest = this.order[this.next];
      if (oldest !== undefined) this.relayed.delete(oldest);
      this.order[this.next] = uuid;
      this.next = (this.next + 1) % this.capacity;
    }
    this.relayed.set(uuid, now);
  }

  /** The framework acknowledged `uuid`; ignored when it was not relayed lately. */
  acknowledged(uuid: string): void {
    if (this.relayed.has(uuid)) this.relayed.set(uuid, ACKNOWLEDGED);
  }

  /** What to do with an agent's copy of `uuid`: relay it (unknown, or relayed long ago without an acknowledgement), answer it, or drop it. */
  verdict(uuid: string, now: number): CopyVerdict {
    const at = this.relayed.get(uuid);
    if (at === undefined) return "relay";
    if (at === ACKNOWLEDGED) return "acknowledge";
    return now - at < RELAY_QUIET_MS ? "drop" : "relay";
  }

  get size(): number {
    return this.relayed.size;
  }
}
