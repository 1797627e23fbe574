import type { AgentId, TaskId } from "@agora/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { MasterHarness, waitFor } from "./test-support/harness.js";
import { withLaunchedTasks } from "./test-support/launch.js";

/** Advances the manual clock one ping period at a time, waiting for each ping's outcome. */
async function missPings(h: MasterHarness, agentId: AgentId, n: number, period = 1000): Promise<void> {
  for (let i = 0; i < n; i++) {
    const before = h.master.snapshot().agents.get(agentId)?.missedPings ?? 0;
    h.clock.advance(period);
    await waitFor(
      () =>
        (h.master.snapshot().agents.get(agentId)?.missedPings ?? 0) !== before ||
        !h.master.snapshot().agents.has(agentId),
      "a missed ping",
    );
  }
}

describe("agent health", () => {
  let h: MasterHarness;
  afterEach(() => h.stop());

  it("keeps an agent that answers its pings", async () => {
    h = await MasterHarness.start({ maxAgentPingTimeouts: 3 });
    const agent = await h.agent();
    for (let i = 0; i < 6; i++) {
      h.clock.advance(1000);
      await h.settle();
    }
    expect(h.master.snapshot().agents.get(agent.id)?.missedPings).toBe(0);
  });

  it("removes an agent after too many missed pings: tasks UNREACHABLE, offers rescinded", async () => {
    const s = await withLaunchedTasks(["t1"], "cpus:1;mem:128");
    h = s.h;
    s.fw.publish({ type: "revive" });
    const [offer] = await s.fw.offers();
    s.agent.disconnect();
    await missPings(h, s.agent.id, 4);
    expect(h.master.snapshot().agents.has(s.agent.id)).toBe(true);
    await missPings(h, s.agent.id, 1);

    const status = await s.fw.update("t1", "TASK_UNREACHABLE");
    expect(status).toMatchObject({ reason: "REASON_AGENT_REMOVED", source: "SOURCE_MASTER" });
    expect(status.uuid).toBeUndefined();
    expect(await s.fw.events.take((e) => e.type === "rescind", "rescind")).toMatchObject({
      offerId: offer!.id,
    });
    expect(await s.fw.events.take((e) => e.type === "failure", "failure")).toMatchObject({
      agentId: s.agent.id,
    });
    const view = h.master.snapshot();
    expect(view.agents.has(s.agent.id)).toBe(false);
    expect(view.unreachableAgents.has(s.agent.id)).toBe(true);
    expect(view.frameworks.get(s.fw.id)!.tasks.get("t1" as TaskId)!.state).toBe("TASK_UNREACHABLE");

    await s.fw.call({ type: "reconcile", tasks: [{ taskId: "gone" as TaskId, agentId: s.agent.id }] });
    expect((await s.fw.update("gone")).state).toBe("TASK_UNREACHABLE");
  });

  it("restores an unreachable agent that reregisters with its running task", async () => {
    const s = await withLaunchedTasks(["t1"]);
    h = s.h;
    s.agent.disconnect();
    await missPings(h, s.agent.id, 5);
    await s.fw.update("t1", "TASK_UNREACHABLE");
    const task = s.run.tasks[0]!;
    await h.reregister(s.agent.id, [{ frameworkId: s.fw.id, task, state: "TASK_RUNNING" }]);
    const back = await s.fw.update("t1", "TASK_RUNNING");
    expect(back.reason).toBe("REASON_AGENT_REREGISTERED");
    const view = h.master.snapshot();
    expect(view.agents.get(s.agent.id)!.resources.used).toEqual(task.resources);
    expect(view.unreachableAgents.has(s.agent.id)).toBe(false);
  });

  it("counts a ping that times out as a miss", async () => {
    h = await MasterHarness.start({ agentPingTimeoutMs: 20, maxAgentPingTimeouts: 2 });
    const agent = await h.agent();
    agent.answersPings = false;
    await missPings(h, agent.id, 2, 20);
    expect(h.master.snapshot().unreachableAgents.has(agent.id)).toBe(true);
  });

  it("marks the tasks of an agent that unregisters GONE", async () => {
    const s = await withLaunchedTasks(["t1"]);
    h = s.h;
    s.agent.send({ type: "unregister", agentId: s.agent.id });
    expect((await s.fw.update("t1", "TASK_GONE")).reason).toBe("REASON_AGENT_REMOVED");
    expect(await h.store.get(`agents.${s.agent.id}`)).toBeUndefined();
  });
});
