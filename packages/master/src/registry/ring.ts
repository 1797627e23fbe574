/** A bounded FIFO: pushing past capacity drops the oldest entry (completed tasks, frameworks). */
export class Ring<T> {
  private readonly items: T[] = [];

  constructor(readonly capacity: number) {}

  push(item: T): void {
    if (this.capacity <= 0) return;
    this.items.push(item);
    if (this.items.length > this.capacity) this.items.shift();
  }

  get size(): number {
    return this.items.length;
  }

  /** Oldest first. */
  values(): readonly T[] {
    return this.items;
  }

  find(predicate: (item: T) => boolean): T | undefined {
    for (let i = this.items.length - 1; i >= 0; i--) if (predicate(this.items[i]!)) return this.items[i];
    return undefined;
  }
}
