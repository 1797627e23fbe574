import type { FrameworkId } from "@agora/protocol";

/**
 * How long after relaying an agent's update the master takes further copies of it for ones its
 * first relay's acknowledgement will answer: the framework's acknowledgement comes back through the
 * master's call queue, seconds behind when the master is busy. A framework that lost the update (it
 * was failing over) gets the agent's first copy after this, or sooner once it acknowledged an update
 * relayed after it; it learns the task's state sooner from the implicit reconciliation its SDK sends
 * on re-subscribing.
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
 * acknowledgement may still be on its way: for `RELAY_QUIET_MS`, unless the framework has since
 * acknowledged an update relayed after this one. A framework's acknowledgements reach the master in
 * the order it sent them, and the SDK sends them in the order it got the updates, so this one's would
 * have come first: the update or its acknowledgement was lost (a NATS node died under it), and the
 * copy is relayed. (A framework acknowledging out of order gets a copy it already has, which its SDK
 * does not hand over again.) Without that, such a loss cost three resends (10 + 20 + 40 s) before a copy went
 * through. No I/O.
 */
export class RelayMemory {
  /** Relay time in clock ms, or `ACKNOWLEDGED`. */
  private readonly relayed = new Map<string, number>();
  private readonly order: (string | undefined)[];
  private next = 0;
  /** Per framework, the latest relay time among the updates it acknowledged. */
  private readonly acknowledgedUpTo = new Map<FrameworkId, number>();

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

  /** `framework` acknowledged `uuid`; ignored when it was not relayed lately. */
  acknowledged(framework: FrameworkId, uuid: string): void {
    const at = this.relayed.get(uuid);
    if (at === undefined || at === ACKNOWLEDGED) return;
    if (at > (this.acknowledgedUpTo.get(framework) ?? -1)) this.acknowledgedUpTo.set(framework, at);
    this.relayed.set(uuid, ACKNOWLEDGED);
  }

  /**
   * What to do with an agent's copy of `framework`'s update `uuid`: relay it (unknown, relayed long
   * ago, or overtaken by an acknowledged later relay), answer it, or drop it.
   */
  verdict(framework: FrameworkId, uuid: string, now: number): CopyVerdict {
    const at = this.relayed.get(uuid);
    if (at === undefined) return "relay";
    if (at === ACKNOWLEDGED) return "acknowledge";
    // Relayed in the same millisecond as the latest acknowledged one: its order is unknown, so wait.
    if (at < (this.acknowledgedUpTo.get(framework) ?? -1)) return "relay";
    return now - at < RELAY_QUIET_MS ? "drop" : "relay";
  }

  /** Forgets a framework that is gone. */
  forgetFramework(framework: FrameworkId): void {
    this.acknowledgedUpTo.delete(framework);
  }

  get size(): number {
    return this.relayed.size;
  }
}
