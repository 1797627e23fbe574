/**
 * What a full stream does with a new item: `wait` holds the producer until the consumer makes room
 * (nothing is lost, used for task updates), `dropOldest` discards the oldest buffered item and hands
 * it to `onDrop` (used for offers, which the SDK declines so their resources go back to the pool).
 */
export type OverflowPolicy<T> = { kind: "wait" } | { kind: "dropOldest"; onDrop: (item: T) => void };

/**
 * A bounded, single-consumer async queue that is its own `AsyncIterableIterator`. The iterator
 * ends when `end()` is called (after draining what is buffered) or when the consumer breaks out.
 */
export class EventStream<T> implements AsyncIterableIterator<T> {
  private readonly buffer: T[] = [];
  private readonly takers: Array<(r: IteratorResult<T>) => void> = [];
  private readonly roomWaiters: Array<() => void> = [];
  private ended = false;

  constructor(
    private readonly capacity: number,
    private readonly overflow: OverflowPolicy<T>,
    private readonly onReturn: () => void = () => {},
  ) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError("stream capacity must be a positive integer");
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Resolves once the item is buffered or handed over (at once unless the policy is `wait` and the buffer is full). */
  async push(item: T): Promise<void> {
    if (this.ended) return;
    const taker = this.takers.shift();
    if (taker) {
      taker({ value: item, done: false });
      return;
    }
    while (this.buffer.length >= this.capacity && !this.ended) {
      if (this.overflow.kind === "dropOldest") {
        this.overflow.onDrop(this.buffer.shift() as T);
        break;
      }
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
    if (!this.ended) this.buffer.push(item);
  }

  /** Ends the stream: the consumer still receives what is buffered, then `done`; waiting producers are released. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const t of this.takers.splice(0)) t({ value: undefined, done: true });
    for (const w of this.roomWaiters.splice(0)) w();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.buffer.length > 0) {
      const value = this.buffer.shift() as T;
      this.roomWaiters.shift()?.();
      return Promise.resolve({ value, done: false });
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => this.takers.push(resolve));
  }

  /** Called by `break` in a `for await` loop: the stream stops receiving and lets go of its buffer. */
  return(): Promise<IteratorResult<T>> {
    this.buffer.length = 0;
    this.end();
    this.onReturn();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
