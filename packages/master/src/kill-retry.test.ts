import type { AgentTask, FrameworkId, TaskId } from "@agora/protocol";
import { describe, expect, it, onTestFinished } from "vitest";
import { type FakeAgent, task, waitFor } from "./test-support/harness.js";
import { withLaunchedTasks } from "./test-support/launch.js";

function running(frameworkId: FrameworkId, agent: FakeAgent, taskId: string): AgentTask {
  return { frameworkId, task: task(taskId, agent.id), state: "TASK_RUNNING" } as AgentTask;
}

const kills = (agent: FakeAgent) => agent.commands.pending((c) => c.type === "killTask");

describe("a kill the agent may never have got", () => {
  it("is sent again, with its kill policy, when the agent reregisters still reporting the task live", async () => {
    const s = await withLaunchedTasks(["t1", "t2"]);
    onTestFinished(() => s.h.stop());
    s.agent.update(s.fw.id, "t1", "TASK_RUNNING");
    s.agent.update(s.fw.id, "t2", "TASK_RUNNING");
    await s.fw.update("t2", "TASK_RUNNING");
    await s.fw.call({ type: "kill", taskId: "t1" as TaskId, killPolicy: { gracePeriodSeconds: 7 } });
    // The agent was restarting: this kill is lost with it.
    await s.agent.commands.take((c) => c.type === "killTask", "the first killTask");

    await s.h.reregister(s.agent.id, [running(s.fw.id, s.agent, "t1"), running(s.fw.id, s.agent, "t2")]);
    const again = await s.agent.commands.take((c) => c.type === "killTask", "the kill sent again");
    expect(again).toMatchObject({
      frameworkId: s.fw.id,
      taskId: "t1",
      killPolicy: { gracePeriodSeconds: 7 },
    });
    await s.fw.sync();
    expect(kills(s.agent)).toEqual([]);

    // Once the task ended, a later reregistration kills nothing.
    s.agent.update(s.fw.id, "t1", "TASK_KILLED");
    await s.fw.update("t1", "TASK_KILLED");
    await s.h.reregister(s.agent.id, [running(s.fw.id, s.agent, "t2")]);
    await s.fw.sync();
    expect(kills(s.agent)).toEqual([]);
  });

  it("is sent when an agent that was unreachable at the time of the kill comes back with the task", async () => {
    const s = await withLaunchedTasks(["t1"]);
    onTestFinished(() => s.h.stop());
    s.agent.update(s.fw.id, "t1", "TASK_RUNNING");
    await s.fw.update("t1", "TASK_RUNNING");
    s.agent.disconnect();
    for (let i = 0; i < 10 && !s.h.master.snapshot().unreachableAgents.has(s.agent.id); i++) {
      s.h.clock.advance(1000);
      await waitFor(() => !s.h.master.snapshot().agents.get(s.agent.id)?.pingInFlight, "the ping to fail");
    }
    await s.fw.update("t1", "TASK_UNREACHABLE");
    await s.fw.call({ type: "kill", taskId: "t1" as TaskId });
    // Nothing can be killed now: the framework hears what the master knows.
    expect((await s.fw.update("t1")).message).toBe("Cannot kill a task whose agent is not registered");
    // As a restarted agent does: listen under its id, then reregister.
    const back = s.h.attachAgent(s.agent.id);
    await s.h.reregister(s.agent.id, [running(s.fw.id, s.agent, "t1")]);
    const kill = await back.commands.take((c) => c.type === "killTask", "the kill after reregistration");
    expect(kill).toMatchObject({ frameworkId: s.fw.id, taskId: "t1" });
  });
});
