import { describe, expect, it } from "vitest";
import { EventStream } from "./event-stream.js";

describe("EventStream", () => {
  it("hands items over in order and ends after draining what is buffered", async () => {
    const s = new EventStream<number>(4, { kind: "wait" });
    await s.push(1);
    await s.push(2);
    s.end();
    const seen: number[] = [];
    for await (const n of s) seen.push(n);
    expect(seen).toEqual([1, 2]);
  });

  it("holds a producer while full under the wait policy, and releases it when the consumer reads", async () => {
    const s = new EventStream<number>(1, { kind: "wait" });
    await s.push(1);
    let pushed = false;
    const second = s.push(2).then(() => {
      pushed = true;
    });
    await Promise.resolve();
    expect(pushed).toBe(false);
    expect(await s.next()).toEqual({ value: 1, done: false });
    await second;
    expect(await s.next()).toEqual({ value: 2, done: false });
  });

  it("drops the oldest item under the dropOldest policy and reports it", async () => {
    const dropped: number[] = [];
    const s = new EventStream<number>(2, { kind: "dropOldest", onDrop: (n) => void dropped.push(n) });
    for (const n of [1, 2, 3]) await s.push(n);
    expect(dropped).toEqual([1]);
    expect(await s.next()).toEqual({ value: 2, done: false });
  });

  it("releases a waiting producer and a waiting consumer on end()", async () => {
    const s = new EventStream<number>(1, { kind: "wait" });
    await s.push(1);
    const held = s.push(2);
    s.end();
    await held;
    expect(await s.next()).toEqual({ value: 1, done: false });
    expect(await s.next()).toEqual({ value: undefined, done: true });
  });

  it("tells its owner when the consumer breaks out", async () => {
    let returned = false;
    const s = new EventStream<number>(2, { kind: "wait" }, () => {
      returned = true;
    });
    await s.push(1);
    for await (const _ of s) break;
    expect(returned).toBe(true);
    expect(s.isEnded).toBe(true);
  });
});
