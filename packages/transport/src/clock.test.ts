import { describe, expect, it } from "vitest";
import { ManualClock, systemClock } from "./clock.js";

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("Clock.defer", () => {
  it("the system clock runs deferred work after the current turn, and clear cancels it", async () => {
    const ran: string[] = [];
    systemClock.defer(() => ran.push("kept"));
    const cancelled = systemClock.defer(() => ran.push("cancelled"));
    systemClock.clear(cancelled);
    ran.push("sync");
    await turn();
    expect(ran).toEqual(["sync", "kept"]);
  });

  it("a manual clock runs deferred work on the event loop's next turn unless told to hold it", async () => {
    const clock = new ManualClock();
    const ran: number[] = [];
    clock.defer(() => ran.push(1));
    expect(clock.pendingDeferred).toBe(1);
    await turn();
    expect(ran).toEqual([1]);
    expect(clock.pendingDeferred).toBe(0);
  });

  it("held deferred work runs only when the test says, in order, with the work it defers", async () => {
    const clock = new ManualClock(0, { holdDeferred: true });
    const ran: string[] = [];
    clock.defer(() => {
      ran.push("a");
      clock.defer(() => ran.push("a's follow-up"));
    });
    const dropped = clock.defer(() => ran.push("dropped"));
    clock.defer(() => ran.push("b"));
    clock.clear(dropped);
    await turn();
    expect(ran).toEqual([]);
    expect(clock.runDeferred()).toBe(3);
    expect(ran).toEqual(["a", "b", "a's follow-up"]);
  });

  it("advance runs held deferred work first, and work a timer defers before the next timer", () => {
    const clock = new ManualClock(0, { holdDeferred: true });
    const ran: string[] = [];
    clock.setTimeout(() => {
      ran.push("timer 10");
      clock.defer(() => ran.push("deferred by timer 10"));
    }, 10);
    clock.setTimeout(() => ran.push("timer 20"), 20);
    clock.defer(() => ran.push("deferred at 0"));
    clock.advance(20);
    expect(ran).toEqual(["deferred at 0", "timer 10", "deferred by timer 10", "timer 20"]);
  });
});
