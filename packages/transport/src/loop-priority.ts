/** How long a backlog's slice may hold the event loop, normally and while I/O asked for turns (ms). */
const NORMAL_SLICE_MS = 50;
const URGENT_SLICE_MS = 5;

/**
 * Lets I/O that waits for the event loop's turns ask the bus's backlogs to yield sooner while it
 * lasts. A 53 MB `/master/state` reply leaves in writes of at most the kernel's socket buffer (4 MiB),
 * one each time the loop polls: with a backlog of calls taking its 50 ms slice in every turn, the body
 * took 1-2 s to leave during a launch burst (BENCHMARKS.md, issue 14).
 */
export class LoopPriority {
  private waiting = 0;

  /** Until the returned function is called (once is enough; again does nothing), backlogs yield sooner. */
  urgent(): () => void {
    this.waiting++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.waiting--;
    };
  }

  /** How long a backlog's slice may run before it yields, now. */
  sliceMs(): number {
    return this.waiting > 0 ? URGENT_SLICE_MS : NORMAL_SLICE_MS;
  }
}
