/**
 * Time as the components see it. Injected everywhere a timeout or an interval matters, so tests
 * can drive time with a fake clock instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  setInterval(fn: () => void, ms: number): TimerHandle;
  clear(handle: TimerHandle): void;
}

export interface TimerHandle {
  readonly id: unknown;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => ({ id: setTimeout(fn, ms).unref() }),
  setInterval: (fn, ms) => ({ id: setInterval(fn, ms).unref() }),
  clear: (h) => clearTimeout(h.id as NodeJS.Timeout),
};

/** A clock that moves only when told to; timers fire in due order inside `advance`. */
export class ManualClock implements Clock {
  private current: number;
  private timers = new Map<number, { due: number; fn: () => void; every?: number }>();
  private nextId = 1;

  constructor(start = 1_700_000_000_000) {
    this.current = start;
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

  clear(handle: TimerHandle): void {
    this.timers.delete(handle.id as number);
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way. */
  advance(ms: number): void {
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
    }
    this.current = target;
  }
}
