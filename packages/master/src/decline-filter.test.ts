import { afterEach, describe, expect, it } from "vitest";
import { MasterHarness } from "./test-support/harness.js";

describe("decline filters", () => {
  let h: MasterHarness;
  afterEach(() => h.stop());

  it("keeps a declined agent from the framework for refuseSeconds, and offers it again after", async () => {
    h = await MasterHarness.start({ allocationIntervalMs: 1000 });
    const agent = await h.agent();
    const fw = await h.framework();
    const [offer] = await fw.offers();
    fw.publish({ type: "decline", offerIds: [offer!.id], filters: { refuseSeconds: 30 } });
    await fw.sync();

    h.clock.advance(29_000); // 29 allocation cycles, all filtered
    await fw.sync();
    expect(fw.pendingOffers()).toEqual([]);

    h.clock.advance(1000);
    const [again] = await fw.offers();
    expect(again!.agentId).toBe(agent.id);
  });

  it("offers the declined agent to another framework at once", async () => {
    h = await MasterHarness.start();
    await h.agent();
    const fw1 = await h.framework();
    const [offer] = await fw1.offers();
    const fw2 = await h.framework();
    await fw1.call({ type: "decline", offerIds: [offer!.id], filters: { refuseSeconds: 60 } });
    const [taken] = await fw2.offers();
    expect(taken!.agentId).toBe(offer!.agentId);
  });

  it("clears filters on revive", async () => {
    h = await MasterHarness.start();
    await h.agent();
    const fw = await h.framework();
    const [offer] = await fw.offers();
    await fw.call({ type: "decline", offerIds: [offer!.id], filters: { refuseSeconds: 3600 } });
    await fw.sync();
    expect(fw.pendingOffers()).toEqual([]);
    await fw.call({ type: "revive" });
    expect(await fw.offers()).toHaveLength(1);
  });

  it("ignores a decline of an offer that is not outstanding", async () => {
    h = await MasterHarness.start();
    await h.agent();
    const fw = await h.framework();
    const [offer] = await fw.offers();
    await fw.call({ type: "decline", offerIds: [offer!.id] });
    expect(await fw.call({ type: "decline", offerIds: [offer!.id] })).toEqual({ ok: true, epoch: 1 });
  });
});
