import { type AgentId, type FrameworkId, parseResources } from "@agora/protocol";
import { describe, expect, it } from "vitest";
import { DeclineFilterIndex, hasBit } from "./filter-index.js";

const r = parseResources;
const f1 = "f1" as FrameworkId;
const f2 = "f2" as FrameworkId;
const a1 = "a1" as AgentId;

describe("DeclineFilterIndex", () => {
  it("blocks a framework on an agent while a live filter covers all that is available", () => {
    const index = new DeclineFilterIndex();
    index.add(f1, a1, { refused: r("cpus:2;mem:512"), expiresAt: 100 });
    const slot = index.slotOf(f1)!;
    expect(hasBit(index.blockedOn(a1, r("cpus:2;mem:512"), 0)!, slot)).toBe(true);
    // More became available than was refused: the verdict is recomputed, not reused.
    expect(hasBit(index.blockedOn(a1, r("cpus:3;mem:512"), 0)!, slot)).toBe(false);
    expect(index.blockedOn(a1, r("cpus:2;mem:512"), 100)).toBeUndefined();
    expect(index.size).toBe(0);
  });

  it("applies filters added after a verdict was cached", () => {
    const index = new DeclineFilterIndex();
    const available = r("cpus:2");
    index.add(f1, a1, { refused: available, expiresAt: 100 });
    index.blockedOn(a1, available, 0);
    index.add(f2, a1, { refused: available, expiresAt: 100 });
    const blocked = index.blockedOn(a1, available, 0)!;
    expect(hasBit(blocked, index.slotOf(f2)!)).toBe(true);
  });

  it("forgets a framework's filters everywhere and reuses its slot", () => {
    const index = new DeclineFilterIndex();
    index.add(f1, a1, { refused: r("cpus:2"), expiresAt: 100 });
    index.add(f1, "a2" as AgentId, { refused: r("cpus:2"), expiresAt: 100 });
    index.removeFramework(f1);
    expect(index.size).toBe(0);
    expect(index.slotOf(f1)).toBeUndefined();
    expect(index.isFiltered(f1, a1, r("cpus:1"), 0)).toBe(false);
    index.add(f2, a1, { refused: r("cpus:2"), expiresAt: 100 });
    expect(index.slotOf(f2)).toBe(0);
    expect(index.isFiltered(f2, a1, r("cpus:1"), 0)).toBe(true);
  });

  it("prunes only the expired filters of an agent", () => {
    const index = new DeclineFilterIndex();
    index.add(f1, a1, { refused: r("cpus:2"), expiresAt: 10 });
    index.add(f1, a1, { refused: r("cpus:2"), expiresAt: 50 });
    index.add(f2, a1, { refused: r("cpus:2"), expiresAt: 10 });
    const blocked = index.blockedOn(a1, r("cpus:2"), 20)!;
    expect(index.size).toBe(1);
    expect(hasBit(blocked, index.slotOf(f1)!)).toBe(true);
    expect(index.slotOf(f2)).toBeUndefined();
  });
});
