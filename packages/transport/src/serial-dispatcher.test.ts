import { describe, expect, it } from "vitest";
import { SerialDispatcher } from "./serial-dispatcher.js";
import { waitFor } from "./testing/index.js";

/** Holds the CPU for `ms`, as a handler of real work does. */
function work(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe("SerialDispatcher", () => {
  it("works off a backlog in order, letting the event loop run between slices", async () => {
    let release: () => void = () => {};
    const handled: number[] = [];
    const dispatcher = new SerialDispatcher<number>(
      (n) => {
        if (n === 0) return new Promise<void>((r) => (release = r)); // an async handler: the rest queue
        work(5);
        handled.push(n);
      },
      (err) => {
        throw err;
      },
    );
    dispatcher.push(0);
    for (let n = 1; n <= 100; n++) dispatcher.push(n); // 500 ms of work behind it

    let handledWhenTimersRan = -1;
    release();
    setImmediate(() => {
      handledWhenTimersRan = handled.length;
    });
    await waitFor(() => handled.length === 100, "the whole backlog");

    expect(handled).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(handledWhenTimersRan).toBeGreaterThan(0);
    expect(handledWhenTimersRan).toBeLessThan(100);
  });

  it("lets the event loop in between slices of handlers that settle without I/O", async () => {
    // Each continuation comes from a microtask, which the event loop drains before any I/O or timer.
    const handled: number[] = [];
    const dispatcher = new SerialDispatcher<number>(
      async (n) => {
        work(5);
        handled.push(n);
      },
      (err) => {
        throw err;
      },
    );
    for (let n = 1; n <= 100; n++) dispatcher.push(n);

    let handledWhenTimersRan = -1;
    setImmediate(() => {
      handledWhenTimersRan = handled.length;
    });
    await waitFor(() => handled.length === 100, "the whole backlog");

    expect(handled).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(handledWhenTimersRan).toBeGreaterThan(0);
    expect(handledWhenTimersRan).toBeLessThan(100);
  });

  it("keeps items pushed between slices behind the backlog", async () => {
    let release: () => void = () => {};
    const handled: string[] = [];
    const dispatcher = new SerialDispatcher<string>(
      (s) => {
        if (s === "async") return new Promise<void>((r) => (release = r));
        work(5);
        handled.push(s);
      },
      () => {},
    );
    dispatcher.push("async");
    for (let i = 0; i < 30; i++) dispatcher.push(`queued-${i}`);
    release();
    setImmediate(() => dispatcher.push("late"));
    await waitFor(() => handled.length === 31, "every item");
    expect(handled.at(-1)).toBe("late");
    expect(handled.slice(0, 30)).toEqual(Array.from({ length: 30 }, (_, i) => `queued-${i}`));
  });

  it("handles an overtaking item at once, ahead of the backlog, which keeps its order", async () => {
    let release: () => void = () => {};
    const handled: string[] = [];
    const errors: string[] = [];
    const dispatcher = new SerialDispatcher<string>(
      (s) => {
        if (s === "async") return new Promise<void>((r) => (release = r));
        if (s === "bad") throw new Error("bad item");
        handled.push(s);
      },
      (err, item) => errors.push(`${item}: ${(err as Error).message}`),
    );
    dispatcher.push("async");
    dispatcher.push("first");
    dispatcher.push("second");
    dispatcher.overtake("urgent");
    dispatcher.overtake("bad");
    expect(handled).toEqual(["urgent"]);
    expect(errors).toEqual(["bad: bad item"]);
    release();
    await waitFor(() => handled.length === 3, "the backlog");
    expect(handled).toEqual(["urgent", "first", "second"]);
    dispatcher.stop();
    dispatcher.overtake("after stop");
    expect(handled).toHaveLength(3);
  });
});
