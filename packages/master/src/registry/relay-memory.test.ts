import { describe, expect, it } from "vitest";
import { RELAY_QUIET_MS, RelayMemory } from "./relay-memory.js";

describe("RelayMemory", () => {
  it("drops copies within the quiet time, relays them after it, answers them once acknowledged", () => {
    const m = new RelayMemory(10);
    expect(m.verdict("u", 0)).toBe("relay");
    m.relay("u", 0);
    expect(m.verdict("u", RELAY_QUIET_MS - 1)).toBe("drop");
    expect(m.verdict("u", RELAY_QUIET_MS)).toBe("relay");
    m.acknowledged("u");
    expect(m.verdict("u", RELAY_QUIET_MS)).toBe("acknowledge");
    m.acknowledged("never-relayed");
    expect(m.verdict("never-relayed", 0)).toBe("relay");
  });

  it("forgets the oldest uuids beyond its capacity, and counts a relayed-again uuid once", () => {
    const m = new RelayMemory(3);
    for (const u of ["a", "b", "c"]) m.relay(u, 0);
    m.relay("a", 5);
    expect(m.size).toBe(3);
    m.relay("d", 0);
    expect(m.size).toBe(3);
    expect(m.verdict("a", 10)).toBe("relay");
    expect(m.verdict("d", 10)).toBe("drop");
  });
});
