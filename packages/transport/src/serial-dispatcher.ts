/**
 * A backlog is worked off in slices of this many ms. Drained in one go, 25,000 queued accepts held a
 * master's event loop for seconds: its leader lease's renewal could not be answered in time, and
 * pings and HTTP waited too.
 */
const SLICE_MS = 50;

/**
 * Runs one handler over a stream of items one at a time, in arrival order. Synchronous handlers
 * run inline (no promise, no queueing); only while an asynchronous handler is pending do later
 * items wait in a backlog, worked off in slices that yield to the event loop in between. This keeps
 * the per-message cost of the common case near zero.
 */
export class SerialDispatcher<T> {
  private backlog: T[] = [];
  private head = 0;
  private busy = false;
  private stopped = false;
  /**
   * When the running slice began. Kept across handlers: an asynchronous handler that settles without
   * real I/O continues the slice from a microtask, and the microtask queue is drained before the event
   * loop gets its turn. Timed per continuation instead, a backlog of async handlers (the master's
   * calls) was drained in one go: 3.5 s without a turn for HTTP or timers in a 100,000-task burst.
   */
  private sliceStart = 0;

  constructor(
    private readonly handler: (item: T) => void | Promise<void>,
    private readonly onError: (err: unknown, item: T) => void,
  ) {}

  push(item: T): void {
    if (this.stopped) return;
    if (this.busy) this.backlog.push(item);
    else {
      this.sliceStart = performance.now();
      this.run(item);
    }
  }

  /**
   * Handles `item` now, ahead of any backlog, for items whose handling does not depend on the order.
   * The handler is not waited for: it must be synchronous, or its promise is only watched for errors.
   */
  overtake(item: T): void {
    if (this.stopped) return;
    this.invoke(item)?.catch((err: unknown) => this.onError(err, item));
  }

  /** Drops the backlog; an in-flight handler finishes on its own. */
  stop(): void {
    this.stopped = true;
    this.backlog = [];
    this.head = 0;
  }

  /** Runs the handler; a synchronous throw goes to `onError`. Returns the handler's promise, if any. */
  private invoke(item: T): Promise<void> | undefined {
    try {
      const result = this.handler(item);
      return result instanceof Promise ? result : undefined;
    } catch (err) {
      this.onError(err, item);
      return undefined;
    }
  }

  private run(item: T): void {
    const result = this.invoke(item);
    if (result) {
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
      if (performance.now() - this.sliceStart > SLICE_MS) {
        // Stays busy (later items queue behind, in order) while timers and I/O get their turn. The
        // real setImmediate, not a Clock's defer: the point is to let real I/O in, which a test's
        // clock cannot stand for (the slice is measured in real time for the same reason).
        this.busy = true;
        setImmediate(() => {
          this.sliceStart = performance.now();
          this.next();
        });
        return;
      }
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
