import { type AgentCommandOf, decode, FrameworkInfo, parseResources, scalarOf } from "@agora/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { MasterHarness, task, waitFor } from "./test-support/harness.js";

describe("offers and launches", () => {
  let h: MasterHarness;
  afterEach(() => h.stop());

  it("offers a registered agent's resources and delivers the accepted launch as one runTask", async () => {
    h = await MasterHarness.start();
    const agent = await h.agent();
    const fw = await h.framework({ name: "web" });
    const [offer] = await fw.offers();
    expect(offer).toMatchObject({
      agentId: agent.id,
      frameworkId: fw.id,
      hostname: "agent.test",
      role: "*",
      capabilities: ["shell"],
    });
    expect(scalarOf(offer!.resources, "cpus")).toBe(4);

    const reply = await fw.call({
      type: "accept",
      offerIds: [offer!.id],
      operations: [{ type: "launch", tasks: [task("t1", agent.id), task("t2", agent.id)] }],
    });
    expect(reply).toEqual({ ok: true, epoch: 1 });
    const run = (await agent.commands.take(
      (c) => c.type === "runTask",
      "runTask",
    )) as AgentCommandOf<"runTask">;
    expect(run.tasks.map((t) => t.taskId)).toEqual(["t1", "t2"]);
    expect(run.frameworkId).toBe(fw.id);
    expect(run.epoch).toBe(1);

    const view = h.master.snapshot();
    expect(view.frameworks.get(fw.id)!.tasks.get(run.tasks[0]!.taskId)!.state).toBe("TASK_STAGING");
    expect(scalarOf(view.agents.get(agent.id)!.resources.used, "cpus")).toBe(2);
  });

  it("persists admitted agents and frameworks but not tasks", async () => {
    h = await MasterHarness.start();
    const agent = await h.agent();
    const fw = await h.framework({ name: "stored" });
    expect(await h.store.get(`agents.${agent.id}`)).toBeDefined();
    const stored = await h.store.get(`frameworks.${fw.id}`);
    const info = decode(FrameworkInfo, stored!.value);
    expect(info.ok && info.value.name).toBe("stored");
    expect(await h.store.list("tasks.")).toEqual([]);
  });

  it("mints Mesos-style agent ids from the master id", async () => {
    h = await MasterHarness.start();
    const a = await h.agent();
    const b = await h.agent();
    expect(a.id).toBe(`${h.master.id}-S0`);
    expect(b.id).toBe(`${h.master.id}-S1`);
  });

  it("never offers the same agent's resources to two frameworks at once", async () => {
    h = await MasterHarness.start();
    const fw1 = await h.framework();
    const fw2 = await h.framework();
    await h.agent();
    const offered = () => fw1.pendingOffers().length + fw2.pendingOffers().length;
    await waitFor(() => offered() === 1, "one offer");
    h.master.allocateNow();
    await fw1.sync();
    await fw2.sync();
    expect(offered()).toBe(1);
  });

  it("rescinds and re-offers outstanding offers when a framework re-subscribes", async () => {
    h = await MasterHarness.start();
    await h.agent();
    const fw = await h.framework({ name: "again" });
    const [first] = await fw.offers();
    await h.request({ type: "subscribe", frameworkInfo: { name: "again", id: fw.id } });
    const rescind = await fw.events.take((e) => e.type === "rescind", "rescind");
    expect(rescind).toMatchObject({ offerId: first!.id });
    const [second] = await fw.offers();
    expect(second!.id).not.toBe(first!.id);
    expect(second!.resources).toEqual(first!.resources);
  });

  it("rescinds an offer after the offer timeout and puts its resources back", async () => {
    h = await MasterHarness.start({ offerTimeoutMs: 10_000 });
    const agent = await h.agent();
    const fw = await h.framework();
    const [offer] = await fw.offers();
    h.clock.advance(10_000);
    expect(await fw.events.take((e) => e.type === "rescind", "rescind")).toMatchObject({
      offerId: offer!.id,
    });
    const [again] = await fw.offers();
    expect(again!.agentId).toBe(agent.id);
  });

  it("returns an accept's unused resources to the pool behind the default 5 s filter", async () => {
    h = await MasterHarness.start();
    const agent = await h.agent();
    const fw = await h.framework();
    const [offer] = await fw.offers();
    await fw.call({
      type: "accept",
      offerIds: [offer!.id],
      operations: [{ type: "launch", tasks: [task("t1", agent.id)] }],
    });
    await fw.sync();
    expect(fw.pendingOffers()).toEqual([]);
    h.clock.advance(5000);
    const [rest] = await fw.offers();
    expect(scalarOf(rest!.resources, "cpus")).toBe(3);
    expect(scalarOf(rest!.resources, "mem")).toBe(4096 - 128);
  });

  it("offers nothing to a suppressed framework until it revives", async () => {
    h = await MasterHarness.start();
    const fw = await h.framework();
    await fw.call({ type: "suppress" });
    await h.agent();
    h.master.allocateNow();
    await fw.sync();
    expect(fw.pendingOffers()).toEqual([]);
    await fw.call({ type: "revive" });
    expect(await fw.offers()).toHaveLength(1);
  });

  it("fails an accept that reserves for another role than the offer's, and returns the offer", async () => {
    h = await MasterHarness.start();
    await h.agent();
    const fw = await h.framework();
    const [offer] = await fw.offers();
    const reply = await fw.call({
      type: "accept",
      offerIds: [offer!.id],
      operations: [{ type: "reserve", resources: parseResources("cpus(eng):1") }],
    });
    expect(reply).toMatchObject({
      ok: false,
      error: { code: "INVALID_OPERATION", field: "operations.0.resources.0.reservation.role" },
    });
    expect(h.master.snapshot().offers.has(offer!.id)).toBe(false);
    expect(h.master.snapshot().agents.values().next().value!.resources.total).toEqual(
      parseResources("cpus:4;mem:4096;disk:10000;ports:[31000-32000]"),
    );
  });
});
