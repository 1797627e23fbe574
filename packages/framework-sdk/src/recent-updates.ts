/**
 * A bounded memory of the status-update uuids already delivered to the framework, and whether each
 * was acknowledged. Agents resend an update until its acknowledgement arrives, so the same uuid can
 * come back; remembering it lets the SDK re-acknowledge without delivering it twice. The oldest
 * entries are forgotten first (a Map iterates in insertion order).
 */
export class RecentUpdates {
  private readonly entries = new Map<string, { acknowledged: boolean }>();

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError("capacity must be a positive integer");
  }

  has(uuid: string): boolean {
    return this.entries.has(uuid);
  }

  isAcknowledged(uuid: string): boolean {
    return this.entries.get(uuid)?.acknowledged ?? false;
  }

  /** Records a delivered update. */
  remember(uuid: string): void {
    if (this.entries.has(uuid)) return;
    this.entries.set(uuid, { acknowledged: false });
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  /** Marks a delivered update acknowledged, so a resend of it is acknowledged again automatically. */
  markAcknowledged(uuid: string): void {
    const e = this.entries.get(uuid);
    if (e) e.acknowledged = true;
  }

  get size(): number {
    return this.entries.size;
  }
}
