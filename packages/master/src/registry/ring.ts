/** A bounded FIFO: pushing past capacity drops the oldest entry (completed tasks, frameworks). */
export class Ring<T> {
  private readonly items: T[] = [];

  constructor(readonly capacity: number) {}

  /** Adds an item; returns the one it pushed out (or the item itself when the capacity is 0), if any. */
  push(item: T): T | undefined {
    if (this.capacity <= 0) return item;
    this.items.push(item);
    return this.items.length > this.capacity ? this.items.shift() : undefined;
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
