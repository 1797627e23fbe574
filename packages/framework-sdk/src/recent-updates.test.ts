import { describe, expect, it } from "vitest";
import { RecentUpdates } from "./recent-updates.js";
import { backoffMs } from "./sleeper.js";

describe("RecentUpdates", () => {
  it("forgets the oldest uuid beyond its capacity", () => {
    const recent = new RecentUpdates(2);
    for (const uuid of ["a", "b", "c"]) recent.remember(uuid);
    expect([recent.has("a"), recent.has("b"), recent.has("c")]).toEqual([false, true, true]);
    expect(recent.size).toBe(2);
  });

  it("keeps exactly the newest uuids as it wraps around many times, ignoring repeats", () => {
    const recent = new RecentUpdates(3);
    for (let i = 0; i < 10; i++) {
      recent.remember(`u${i}`);
      recent.remember(`u${i}`);
    }
    const kept = Array.from({ length: 10 }, (_, i) => `u${i}`).filter((u) => recent.has(u));
    expect(kept).toEqual(["u7", "u8", "u9"]);
    expect(recent.size).toBe(3);
  });

  it("remembers whether a delivered update was acknowledged", () => {
    const recent = new RecentUpdates(2);
    recent.remember("a");
    expect(recent.isAcknowledged("a")).toBe(false);
    recent.markAcknowledged("a");
    expect(recent.isAcknowledged("a")).toBe(true);
    recent.markAcknowledged("unknown");
    expect(recent.has("unknown")).toBe(false);
  });
});

describe("backoffMs", () => {
  it("doubles from the initial delay up to the cap", () => {
    expect([0, 1, 2, 3, 10, 1000].map((n) => backoffMs(n, 250, 1500))).toEqual([
      250, 500, 1000, 1500, 1500, 1500,
    ]);
  });
});
