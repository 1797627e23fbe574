import type { AgentCommandOf, FrameworkId } from "@agora/protocol";
import { describe, expect, it } from "vitest";
import { type FakeAgent, type FakeFramework, MasterHarness, task } from "./test-support/harness.js";

/** A master whose frameworks are disconnected after 3 s of silence, with one running task. */
async function withRunningTask(failoverTimeout: number) {
  const h = await MasterHarness.startForTest({ frameworkTimeoutMs: 3000 });
  const agent: FakeAgent = await h.agent();
  const fw: FakeFramework = await h.framework({ failoverTimeout });
  const [offer] = await fw.offers();
  await fw.call({
    type: "accept",
    offerIds: [offer!.id],
    operations: [{ type: "launch", tasks: [task("t1", agent.id)] }],
    filters: { refuseSeconds: 0 },
  });
  await agent.commands.take((c) => c.type === "runTask", "runTask");
  agent.update(fw.id, "t1", "TASK_RUNNING");
  await fw.update("t1", "TASK_RUNNING");
  return { h, agent, fw };
}

/** Advances the clock a second at a time (the failover check's period), letting each check run. */
async function pass(h: MasterHarness, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 1000) {
    h.clock.advance(1000);
    await h.settle();
  }
}

function framework(h: MasterHarness, id: FrameworkId) {
  return h.master.snapshot().frameworks.get(id);
}

describe("framework failover", () => {
  it("disconnects a silent framework, keeps its tasks, and resumes it on a re-subscribe within its failover timeout", async () => {
    const { h, agent, fw } = await withRunningTask(10);
    await pass(h, 5000);
    expect(framework(h, fw.id)?.connected).toBe(false);
    expect(framework(h, fw.id)?.tasks.get("t1" as never)?.state).toBe("TASK_RUNNING");

    await h.framework({ id: fw.id, failoverTimeout: 10 });
    expect(framework(h, fw.id)?.connected).toBe(true);
    // Past the first deadline: the re-subscribe cancelled it (the fake sends no heartbeats, so it
    // is disconnected again after 3 s, with a fresh 10 s window).
    await pass(h, 11_000);
    expect(framework(h, fw.id)?.tasks.get("t1" as never)?.state).toBe("TASK_RUNNING");
    expect(agent.commands.pending((c) => c.type === "shutdownFramework" || c.type === "killTask")).toEqual(
      [],
    );
  });

  it("judges silence only on the calls that reached it: a heartbeat waiting in its call queue keeps the framework", async () => {
    const { h, agent, fw } = await withRunningTask(0);
    await pass(h, 2000);
    // The heartbeat is sent, but the master is behind: the check comes due before it is handled
    // (a launch burst's accepts before it, on a starved machine). Judged on the calls handled so far,
    // the framework looked silent for 4 s and, with a failover timeout of 0, was torn down.
    fw.publish({ type: "heartbeat" });
    h.clock.advance(2000);
    await h.settle();
    await pass(h, 2000);
    expect(framework(h, fw.id)?.connected).toBe(true);
    expect(framework(h, fw.id)?.tasks.get("t1" as never)?.state).toBe("TASK_RUNNING");
    expect(agent.commands.pending((c) => c.type === "shutdownFramework")).toEqual([]);
  });

  it("keeps a framework that calls within the framework timeout connected", async () => {
    const { h, fw } = await withRunningTask(0);
    for (let i = 0; i < 6; i++) {
      await pass(h, 2000);
      await fw.call({ type: "heartbeat" });
    }
    expect(framework(h, fw.id)?.connected).toBe(true);
  });

  it("tears a framework down once its failover timeout has passed: its tasks are killed", async () => {
    const { h, agent, fw } = await withRunningTask(5);
    await pass(h, 4000);
    expect(framework(h, fw.id)?.connected).toBe(false);
    await pass(h, 6000);
    const shutdown = (await agent.commands.take(
      (c) => c.type === "shutdownFramework",
      "shutdownFramework",
    )) as AgentCommandOf<"shutdownFramework">;
    expect(shutdown.frameworkId).toBe(fw.id);
    expect(framework(h, fw.id)).toBeUndefined();
    const reply = await h.request({ type: "subscribe", frameworkInfo: { name: "again", id: fw.id } });
    expect(reply.ok).toBe(false);
  });
});
