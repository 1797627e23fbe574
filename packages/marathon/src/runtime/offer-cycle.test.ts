import type { Scheduler } from "@agora/framework-sdk";
import { ManualClock } from "@agora/transport";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { LaunchQueue } from "../launch/launch-queue.js";
import type { Instance } from "../model/instance.js";
import { app, offer } from "../test-support/fixtures.js";
import { OfferCycle } from "./offer-cycle.js";

/** An offer cycle over a fake scheduler that records the calls Marathon makes. */
function harness() {
  const clock = new ManualClock();
  const calls: string[] = [];
  const admitted: Instance[] = [];
  const scheduler = {
    revive: async () => void calls.push("revive"),
    suppress: async () => void calls.push("suppress"),
    decline: async (ids: string[], f?: { refuseSeconds?: number }) =>
      void calls.push(`decline ${ids.length} for ${f?.refuseSeconds}s`),
    launch: async (_o: unknown, tasks: unknown[]) => void calls.push(`launch ${tasks.length}`),
  } as unknown as Scheduler;
  const queue = new LaunchQueue({ now: () => clock.now() });
  let changes = 0;
  const cycle = new OfferCycle({
    scheduler: () => scheduler,
    queue,
    role: "*",
    declineOfferSeconds: 120,
    clock,
    logger: pino({ level: "silent" }),
    placed: (appId) => admitted.filter((i) => i.appId === appId),
    admit: async (instances) => void admitted.push(...instances),
    launched: () => {},
    launchFailed: () => {},
    changed: () => changes++,
  });
  return { clock, calls, admitted, queue, cycle, changes: () => changes };
}

describe("OfferCycle", () => {
  it("suppresses with an empty queue, revives when launches are queued, and declines offers nothing wants", async () => {
    const h = harness();
    await h.cycle.update(undefined);
    expect(h.calls).toEqual(["suppress"]);
    await h.cycle.offers([offer("a1")]);
    expect(h.calls.at(-1)).toBe("decline 1 for 120s");
    h.queue.add(app("/web", { cpus: 0.1, mem: 16 }), 2);
    await h.cycle.update(undefined);
    expect(h.calls.at(-1)).toBe("revive");
    await h.cycle.update(undefined);
    expect(h.calls.filter((c) => c === "revive")).toHaveLength(1);
  });

  it("revives again when a new version's launches replace an old one's at the same count", async () => {
    const h = harness();
    h.queue.add(app("/web", { cmd: "broken" }), 1);
    await h.cycle.update(undefined);
    expect(h.calls).toEqual(["revive"]);
    // The broken version's offers were declined for 120 s; the fix must not wait for them.
    h.queue.remove("/web");
    h.queue.add(app("/web", { cmd: "fixed", version: "2026-01-02T00:00:00.000Z" }), 1);
    await h.cycle.update(undefined);
    expect(h.calls).toEqual(["revive", "revive"]);
    await h.cycle.update(undefined);
    expect(h.calls).toEqual(["revive", "revive"]);
  });

  it("launches queued instances into an offer, stores them first, and takes them off the queue", async () => {
    const h = harness();
    h.queue.add(app("/web", { cpus: 0.1, mem: 16 }), 2);
    await h.cycle.offers([offer("a1"), offer("a2", { resources: [{ name: "cpus", scalar: 0.01 }] })]);
    expect(h.admitted).toHaveLength(2);
    expect(h.calls).toEqual(["launch 2", "decline 1 for 120s"]);
    expect(h.queue.count("/web")).toBe(0);
    expect(h.changes()).toBe(1);
  });

  it("wakes the runtime when a backoff delay ends", async () => {
    const h = harness();
    const web = app("/web", { backoffSeconds: 5 });
    h.queue.add(web, 1);
    h.queue.recordFailure(web);
    await h.cycle.update(undefined);
    expect(h.changes()).toBe(0);
    h.clock.advance(5_001);
    expect(h.changes()).toBe(1);
  });

  it("after a re-subscribe it tells the master again what it wants", async () => {
    const h = harness();
    await h.cycle.update(undefined);
    h.cycle.resync();
    await h.cycle.update(undefined);
    expect(h.calls).toEqual(["suppress", "suppress"]);
  });
});
