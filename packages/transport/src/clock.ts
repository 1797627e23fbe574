/**
 * Time as the components see it. Injected everywhere a timeout or an interval matters, so tests
 * can drive time with a fake clock instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  setInterval(fn: () => void, ms: number): TimerHandle;
  /**
   * Runs `fn` once the current turn's work is done (Node's `setImmediate`): how a component
   * coalesces a burst of changes into one pass (an allocation, a batch of acknowledgements).
   * Through the clock so a test can hold such work and run it when it chooses.
   */
  defer(fn: () => void): TimerHandle;
  /** Cancels a timeout, an interval or deferred work. */
  clear(handle: TimerHandle): void;
}

export interface TimerHandle {
  readonly id: unknown;
}

/** Deferred work's handle: Node cancels an immediate with `clearImmediate`, not `clearTimeout`. */
interface ImmediateHandle extends TimerHandle {
  readonly id: NodeJS.Immediate;
  readonly immediate: true;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => ({ id: setTimeout(fn, ms).unref() }),
  setInterval: (fn, ms) => ({ id: setInterval(fn, ms).unref() }),
  defer: (fn): ImmediateHandle => ({ id: setImmediate(fn), immediate: true }),
  clear: (h) => {
    if ("immediate" in h) clearImmediate((h as ImmediateHandle).id);
    else clearTimeout(h.id as NodeJS.Timeout);
  },
};

export interface ManualClockOptions {
  /**
   * Hold deferred work until `runDeferred()` or the next `advance()` (default false: it runs on the
   * real event loop's next turn, as with the system clock, so tests that wait for a quiet bus see it).
   */
  holdDeferred?: boolean;
}

/**
 * A clock that moves only when told to; timers fire in due order inside `advance`. Deferred work
 * runs on the real event loop's next turn, or, with `holdDeferred`, when the test says.
 */
export class ManualClock implements Clock {
  private current: number;
  private timers = new Map<number, { due: number; fn: () => void; every?: number }>();
  /** Deferred work not run yet, in the order it was deferred (a Map keeps insertion order). */
  private deferred = new Map<number, () => void>();
  private nextId = 1;
  private readonly holdDeferred: boolean;

  constructor(start = 1_700_000_000_000, options: ManualClockOptions = {}) {
    this.current = start;
    this.holdDeferred = options.holdDeferred ?? false;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { due: this.current + Math.max(0, ms), fn });
    return { id };
  }

  setInterval(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    const every = Math.max(1, ms);
    this.timers.set(id, { due: this.current + every, fn, every });
    return { id };
  }

  defer(fn: () => void): TimerHandle {
    const id = this.nextId++;
    this.deferred.set(id, fn);
    if (!this.holdDeferred) setImmediate(() => this.runOne(id));
    return { id };
  }

  clear(handle: TimerHandle): void {
    this.timers.delete(handle.id as number);
    this.deferred.delete(handle.id as number);
  }

  /** Timeouts and intervals armed and not cleared: how a test knows that code it cannot await is waiting. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Deferred work waiting (held, or not yet reached by the event loop). */
  get pendingDeferred(): number {
    return this.deferred.size;
  }

  /**
   * Runs deferred work in order, including work deferred by it, until none is left; returns how
   * many ran. With `holdDeferred`, the only way (besides `advance`) that deferred work runs.
   */
  runDeferred(): number {
    let ran = 0;
    for (let next = this.deferred.keys().next(); !next.done; next = this.deferred.keys().next()) {
      this.runOne(next.value);
      ran++;
    }
    return ran;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way; held deferred work
   * runs first and after each timer.
   */
  advance(ms: number): void {
    if (this.holdDeferred) this.runDeferred();
    const target = this.current + ms;
    for (;;) {
      let nextId: number | undefined;
      let nextDue = Number.POSITIVE_INFINITY;
      for (const [id, t] of this.timers) {
        if (t.due <= target && t.due < nextDue) {
          nextDue = t.due;
          nextId = id;
        }
      }
      if (nextId === undefined) break;
      const timer = this.timers.get(nextId)!;
      this.current = timer.due;
      if (timer.every) timer.due += timer.every;
      else this.timers.delete(nextId);
      timer.fn();
      // As on the event loop, work a timer deferred runs before the next timer fires.
      if (this.holdDeferred) this.runDeferred();
    }
    this.current = target;
  }

  private runOne(id: number): void {
    const fn = this.deferred.get(id);
    if (!fn) return;
    this.deferred.delete(id);
    fn();
  }
}
