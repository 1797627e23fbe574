/** A buffer lent to one reply, to be given back once the reply was written whole. */
export interface LentBuffer {
  readonly body: Buffer;
  release(): void;
}

/**
 * Keeps the memory of the last `/master/state` reply for the next one. A fresh buffer is page-faulted
 * in as the JSON is copied into it: for 100,000 tasks' fragments (37.7 MB) 38-92 ms of CPU against
 * 19-25 ms into the buffer used before (bench/master-state.bench.ts, `copy fresh` and `copy reused`,
 * BENCHMARKS.md), every request, on the master's only thread.
 * One reply holds the buffer at a time; a request that comes while it is lent gets a fresh one. The
 * cost is the last reply's size kept between requests.
 */
export class ReplyBuffer {
  private spare: Buffer | undefined;

  /** `size` bytes to write a reply into. */
  take(size: number): LentBuffer {
    let whole = this.spare;
    this.spare = undefined;
    // An eighth more than asked, so a state that grew a little since still fits next time.
    if (whole === undefined || whole.length < size) whole = Buffer.allocUnsafe(size + (size >> 3));
    const kept = whole;
    return {
      body: kept.subarray(0, size),
      release: () => {
        this.spare = kept;
      },
    };
  }
}
