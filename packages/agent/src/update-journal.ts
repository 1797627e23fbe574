import type { StatusUpdate } from "@agora/protocol";

/**
 * Where the status update manager records updates until they are acknowledged. The in-memory
 * journal forgets everything with the process; the checkpointing one (`FileUpdateJournal`) puts
 * each update on disk before it is first sent, so an agent restart can resend what was never
 * acknowledged.
 */
export interface UpdateJournal {
  /**
   * Records an update before it is first sent. A promise means the record is durable only once it
   * resolves, and the update must not be sent before; nothing returned, it is recorded already.
   */
  append(update: StatusUpdate): Promise<void> | undefined;
  /** Its acknowledgement arrived: the update need not survive a restart any more. */
  acknowledge(update: StatusUpdate): void;
  /** Every appended, unacknowledged update, in the order appended (so in order per task). */
  recover(): StatusUpdate[];
}

/** A journal kept in memory: it outlives a manager, not the process (tests of what a journal recovers). */
export class InMemoryUpdateJournal implements UpdateJournal {
  private readonly updates = new Map<string, StatusUpdate>();

  append(update: StatusUpdate): undefined {
    this.updates.set(update.status.uuid, update);
    return undefined;
  }

  acknowledge(update: StatusUpdate): void {
    this.updates.delete(update.status.uuid);
  }

  recover(): StatusUpdate[] {
    return [...this.updates.values()];
  }
}
