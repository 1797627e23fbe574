import { type OfferId, scalarOf } from "@agora/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { MasterHarness, task } from "./test-support/harness.js";

describe("accept validation", () => {
  let h: MasterHarness;
  afterEach(() => h.stop());

  async function setup() {
    h = await MasterHarness.start();
    const agent = await h.agent();
    const fw = await h.framework();
    const [offer] = await fw.offers();
    return { agent, fw, offer: offer! };
  }

  it("drops the tasks of an accept naming an unknown offer and fails with UNKNOWN_OFFER", async () => {
    const { agent, fw, offer } = await setup();
    const reply = await fw.call({
      type: "accept",
      offerIds: [offer.id, "no-such-offer" as OfferId],
      operations: [{ type: "launch", tasks: [task("t1", agent.id)] }],
    });
    expect(reply).toMatchObject({ ok: false, error: { code: "UNKNOWN_OFFER", field: "offerIds.1" } });
    const status = await fw.update("t1", "TASK_DROPPED");
    expect(status).toMatchObject({ reason: "REASON_INVALID_OFFERS", source: "SOURCE_MASTER" });
    expect(status.uuid).toBeUndefined();
    // The valid offer went back to the pool (no filter) and is offered again.
    const [again] = await fw.offers();
    expect(scalarOf(again!.resources, "cpus")).toBe(4);
    expect(agent.commands.pending((c) => c.type === "runTask")).toEqual([]);
  });

  it("rejects a task whose resources the offers do not contain with TASK_ERROR", async () => {
    const { agent, fw, offer } = await setup();
    await fw.call({
      type: "accept",
      offerIds: [offer.id],
      operations: [
        { type: "launch", tasks: [task("big", agent.id, "cpus:64;mem:128"), task("ok", agent.id)] },
      ],
    });
    const status = await fw.update("big", "TASK_ERROR");
    expect(status.reason).toBe("REASON_TASK_INVALID");
    expect(status.message).toMatch(/more resources/);
    expect(status.uuid).toBeUndefined();
    const run = await agent.commands.take((c) => c.type === "runTask", "runTask");
    expect(run.type === "runTask" && run.tasks.map((t) => t.taskId)).toEqual(["ok"]);
  });

  it("rejects the second of two tasks that together exceed the offer", async () => {
    const { agent, fw, offer } = await setup();
    await fw.call({
      type: "accept",
      offerIds: [offer.id],
      operations: [
        { type: "launch", tasks: [task("a", agent.id, "cpus:3;mem:128")] },
        { type: "launch", tasks: [task("b", agent.id, "cpus:3;mem:128")] },
      ],
    });
    expect((await fw.update("b", "TASK_ERROR")).reason).toBe("REASON_TASK_INVALID");
    const run = await agent.commands.take((c) => c.type === "runTask", "runTask");
    expect(run.type === "runTask" && run.tasks.map((t) => t.taskId)).toEqual(["a"]);
  });

  it("rejects duplicate task ids within an accept and against active tasks", async () => {
    const { agent, fw, offer } = await setup();
    await fw.call({
      type: "accept",
      offerIds: [offer.id],
      operations: [{ type: "launch", tasks: [task("dup", agent.id), task("dup", agent.id)] }],
    });
    expect((await fw.update("dup", "TASK_ERROR")).message).toMatch(/more than once/);
    h.clock.advance(5000);
    const [next] = await fw.offers();
    await fw.call({
      type: "accept",
      offerIds: [next!.id],
      operations: [{ type: "launch", tasks: [task("dup", agent.id)] }],
    });
    expect((await fw.update("dup", "TASK_ERROR")).message).toMatch(/already used/);
  });

  it("rejects a task that names another agent than its offers", async () => {
    const { fw, offer } = await setup();
    const other = await h.agent();
    await fw.call({
      type: "accept",
      offerIds: [offer.id],
      operations: [{ type: "launch", tasks: [task("elsewhere", other.id)] }],
    });
    expect((await fw.update("elsewhere", "TASK_ERROR")).message).toMatch(/does not match the offers' agent/);
  });

  it("refuses offers of another framework and leaves them with their owner", async () => {
    const { agent, fw, offer } = await setup();
    const thief = await h.framework();
    const reply = await thief.call({
      type: "accept",
      offerIds: [offer.id],
      operations: [{ type: "launch", tasks: [task("stolen", agent.id)] }],
    });
    expect(reply).toMatchObject({ ok: false, error: { code: "INVALID_OFFERS" } });
    expect((await thief.update("stolen", "TASK_DROPPED")).reason).toBe("REASON_INVALID_OFFERS");
    await h.settle();
    expect(h.master.snapshot().offers.get(offer.id)?.offer.frameworkId).toBe(fw.id);
  });

  it("answers calls of an unknown framework with UNKNOWN_FRAMEWORK", async () => {
    h = await MasterHarness.start();
    const reply = await h.request({ type: "revive", frameworkId: "nobody" });
    expect(reply).toMatchObject({ ok: false, error: { code: "UNKNOWN_FRAMEWORK", field: "frameworkId" } });
  });
});
