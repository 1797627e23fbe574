import { describe, expect, it } from "vitest";
import { InProcessBus } from "./in-process-bus.js";
import { describeBusConformance } from "./testing/index.js";

describeBusConformance("InProcessBus", async () => {
  const bus = new InProcessBus();
  return { a: bus, b: bus, teardown: () => bus.close() };
});

describe("InProcessBus.drained", () => {
  const bytes = (s: string) => new TextEncoder().encode(s);

  it("waits for a chain of deliveries, asynchronous handlers and deferred publishes", async () => {
    const bus = new InProcessBus();
    const seen: string[] = [];
    bus.subscribe("a", async () => {
      seen.push("a");
      await new Promise((r) => setTimeout(r, 20));
      bus.publish("b", bytes("from a"));
    });
    bus.subscribe("b", () => {
      seen.push("b");
      // Deferred as the master defers an allocation: drained() still covers it.
      setImmediate(() => bus.publish("c", bytes("from b")));
    });
    bus.subscribe("c", () => {
      seen.push("c");
    });
    bus.publish("a", bytes("go"));
    await bus.drained();
    expect(seen).toEqual(["a", "b", "c"]);
    await bus.close();
  });

  it("resolves at once on a quiet bus", async () => {
    const bus = new InProcessBus();
    await bus.drained();
    await bus.close();
  });
});
