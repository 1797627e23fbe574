import { describe, expect, it } from "vitest";
import { QuotaInfo } from "./roles/quota.js";
import { MasterHarness } from "./test-support/harness.js";

/**
 * An event (a registration, a decline, freed resources) allocates the agents it changed, as Mesos'
 * `allocate(agentIds)`; the periodic cycle visits every agent. Here an agent whose decline filter
 * expired between two periodic cycles waits for the next one, though another agent registered.
 */
describe("event-triggered allocation", () => {
  /** Agent a's decline filter ends between two periodic cycles; agent b registers before the next. */
  async function registrationOffersItsAgentAlone(h: MasterHarness): Promise<void> {
    const a = await h.agent(undefined, "agent-a.test");
    const fw = await h.framework();
    const [first] = await fw.offers();
    expect(first?.agentId).toBe(a.id);

    h.clock.advance(500);
    fw.publish({ type: "decline", offerIds: [first!.id], filters: { refuseSeconds: 1 } });
    await fw.sync();
    h.clock.advance(1100); // t = 1,600: the cycle at 1,000 found a filtered; its filter ended at 1,500
    await h.settle();
    expect(fw.pendingOffers()).toEqual([]);

    const b = await h.agent(undefined, "agent-b.test");
    await h.settle();
    expect((await fw.offers()).map((o) => o.agentId)).toEqual([b.id]);
    expect(fw.pendingOffers()).toEqual([]);

    h.clock.advance(400); // the periodic cycle at 2,000
    await h.settle();
    expect((await fw.offers()).map((o) => o.agentId)).toEqual([a.id]);
  }

  it("offers the agent that registered, not others, until the periodic cycle visits them all", async () => {
    const h = await MasterHarness.startForTest({ allocationIntervalMs: 1000 });
    await registrationOffersItsAgentAlone(h);
  });

  it("offers the agent that registered alone with a quota set too", async () => {
    const h = await MasterHarness.startForTest({ allocationIntervalMs: 1000 });
    // A guarantee nobody uses: its headroom is held back from the cluster's pool in every cycle.
    await h.master.setQuota(QuotaInfo.parse({ role: "eng", guarantee: [{ name: "cpus", scalar: 1 }] }));
    await registrationOffersItsAgentAlone(h);
  });

  it("re-offers a declined agent at once when the decline leaves no filter", async () => {
    const h = await MasterHarness.startForTest({ allocationIntervalMs: 60_000 });
    const a = await h.agent(undefined, "agent-a.test");
    await h.agent(undefined, "agent-b.test");
    const fw = await h.framework();
    const offers = await fw.offers();
    expect(offers).toHaveLength(2);
    const onA = offers.find((o) => o.agentId === a.id)!;
    fw.publish({ type: "decline", offerIds: [onA.id], filters: { refuseSeconds: 0 } });
    await fw.sync();
    await h.settle();
    expect((await fw.offers()).map((o) => o.agentId)).toEqual([a.id]);
  });
});
