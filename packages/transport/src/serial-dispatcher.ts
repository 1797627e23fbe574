/**
 * Runs one handler over a stream of items one at a time, in arrival order. Synchronous handlers
 * run inline (no promise, no queueing); only while an asynchronous handler is pending do later
 * items wait in a backlog. This keeps the per-message cost of the common case near zero.
 */
export class SerialDispatcher<T> {
  private backlog: T[] = [];
  private head = 0;
  private busy = false;
  private stopped = false;

  constructor(
    private readonly handler: (item: T) => void | Promise<void>,
    private readonly onError: (err: unknown, item: T) => void,
  ) {}

  push(item: T): void {
    if (this.stopped) return;
    if (this.busy) this.backlog.push(item);
    else this.run(item);
  }

  /** Drops the backlog; an in-flight handler finishes on its own. */
  stop(): void {
    this.stopped = true;
    this.backlog = [];
    this.head = 0;
  }

  private run(item: T): void {
    let result: void | Promise<void>;
    try {
      result = this.handler(item);
    } catch (err) {
      this.onError(err, item);
      return;
    }
    if (result instanceof Promise) {
      this.busy = true;
      result.then(
        () => this.next(),
        (err: unknown) => {
          this.onError(err, item);
          this.next();
        },
      );
    }
  }

  private next(): void {
    this.busy = false;
    while (!this.busy && !this.stopped && this.head < this.backlog.length) {
      const item = this.backlog[this.head]!;
      this.head++;
      if (this.head === this.backlog.length) {
        this.backlog = [];
        this.head = 0;
      } else if (this.head >= 1024 && this.head * 2 >= this.backlog.length) {
        // Under sustained load the backlog may never empty: drop the consumed prefix now and then.
        this.backlog = this.backlog.slice(this.head);
        this.head = 0;
      }
      this.run(item);
    }
  }
}
