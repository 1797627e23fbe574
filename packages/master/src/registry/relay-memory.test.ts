import type { FrameworkId } from "@agora/protocol";
import { describe, expect, it } from "vitest";
import { RELAY_QUIET_MS, RelayMemory } from "./relay-memory.js";

const fw = "fw" as FrameworkId;
const other = "other" as FrameworkId;

describe("RelayMemory", () => {
  it("drops copies within the quiet time, relays them after it, answers them once acknowledged", () => {
    const m = new RelayMemory(10);
    expect(m.verdict(fw, "u", 0)).toBe("relay");
    m.relay("u", 0);
    expect(m.verdict(fw, "u", RELAY_QUIET_MS - 1)).toBe("drop");
    expect(m.verdict(fw, "u", RELAY_QUIET_MS)).toBe("relay");
    m.acknowledged(fw, "u");
    expect(m.verdict(fw, "u", RELAY_QUIET_MS)).toBe("acknowledge");
    m.acknowledged(fw, "never-relayed");
    expect(m.verdict(fw, "never-relayed", 0)).toBe("relay");
  });

  it("relays a copy at once when its framework acknowledged an update relayed after it: its own acknowledgement was lost", () => {
    const m = new RelayMemory(10);
    m.relay("lost", 100);
    m.relay("same-ms", 200);
    m.relay("later", 200);
    m.relay("other's", 300);
    m.acknowledged(other, "other's");
    expect(m.verdict(fw, "lost", 10_000)).toBe("drop"); // another framework's acknowledgements say nothing
    m.acknowledged(fw, "later");
    expect(m.verdict(fw, "lost", 10_000)).toBe("relay");
    expect(m.verdict(fw, "same-ms", 10_000)).toBe("drop"); // order unknown: it may still be on its way
    m.forgetFramework(fw);
    expect(m.verdict(fw, "lost", 10_000)).toBe("drop");
  });

  it("forgets the oldest uuids beyond its capacity, and counts a relayed-again uuid once", () => {
    const m = new RelayMemory(3);
    for (const u of ["a", "b", "c"]) m.relay(u, 0);
    m.relay("a", 5);
    expect(m.size).toBe(3);
    m.relay("d", 0);
    expect(m.size).toBe(3);
    expect(m.verdict(fw, "a", 10)).toBe("relay");
    expect(m.verdict(fw, "d", 10)).toBe("drop");
  });
});
