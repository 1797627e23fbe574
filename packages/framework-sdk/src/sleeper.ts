import type { Clock, TimerHandle } from "@agora/transport";

/**
 * Sleeps on the injected clock, and wakes every sleeper at once on `cancelAll()` (close), so a
 * retry loop never outlives its scheduler.
 */
export class Sleeper {
  private readonly pending = new Map<TimerHandle, () => void>();

  constructor(private readonly clock: Clock) {}

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const handle = this.clock.setTimeout(() => {
        this.pending.delete(handle);
        resolve();
      }, ms);
      this.pending.set(handle, resolve);
    });
  }

  cancelAll(): void {
    for (const [handle, wake] of this.pending) {
      this.clock.clear(handle);
      wake();
    }
    this.pending.clear();
  }
}

/** Exponential backoff without jitter: `initialMs · 2^attempt`, capped at `maxMs`. */
export function backoffMs(attempt: number, initialMs: number, maxMs: number): number {
  return Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
}
