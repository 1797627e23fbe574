import type { ExecutorId } from "@agora/protocol";
import { afterEach, describe, expect, it } from "vitest";
import type { MasterHarness } from "./test-support/harness.js";
import { withLaunchedTasks } from "./test-support/launch.js";

describe("framework and executor messages (best effort, as Mesos)", () => {
  let h: MasterHarness;
  afterEach(() => h.stop());

  it("forwards a framework's message call to the named agent", async () => {
    const s = await withLaunchedTasks(["t1"]);
    h = s.h;
    const reply = await s.fw.call({
      type: "message",
      agentId: s.agent.id,
      executorId: "t1" as ExecutorId,
      data: "aGk=",
    });
    expect(reply.ok).toBe(true);
    expect(
      await s.agent.commands.take((c) => c.type === "frameworkMessage", "frameworkMessage"),
    ).toMatchObject({
      frameworkId: s.fw.id,
      executorId: "t1",
      data: "aGk=",
    });
  });

  it("relays an executor's message to its framework as a message event", async () => {
    const s = await withLaunchedTasks(["t1"]);
    h = s.h;
    s.agent.send({
      type: "executorMessage",
      agentId: s.agent.id,
      frameworkId: s.fw.id,
      executorId: "t1" as ExecutorId,
      data: "b2s=",
    });
    expect(await s.fw.events.take((e) => e.type === "message", "message event")).toMatchObject({
      agentId: s.agent.id,
      executorId: "t1",
      data: "b2s=",
    });
  });
});
