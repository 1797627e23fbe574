/**
 * A bounded memory of the status-update uuids already delivered to the framework, and whether each
 * was acknowledged. Agents resend an update until its acknowledgement arrives, so the same uuid can
 * come back; remembering it lets the SDK re-acknowledge without delivering it twice. The oldest
 * entries are forgotten first. A ring of the uuids in arrival order names the oldest: asking the Map
 * for its first key instead costs a scan over every deleted slot V8 keeps until it rehashes, which
 * made a scheduler at 400,000 updates spend a fifth of its time there.
 */
export class RecentUpdates {
  private readonly entries = new Map<string, { acknowledged: boolean }>();
  private readonly order: string[] = [];
  private next = 0;

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
    if (this.order.length < this.capacity) this.order.push(uuid);
    else {
      this.entries.delete(this.order[this.next] as string);
      this.order[this.next] = uuid;
      this.next = (this.next + 1) % this.capacity;
    }
    this.entries.set(uuid, { acknowledged: false });
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
