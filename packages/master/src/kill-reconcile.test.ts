import type { AgentId, TaskId } from "@agora/protocol";
import { afterEach, describe, expect, it } from "vitest";
import type { MasterHarness } from "./test-support/harness.js";
import { withLaunchedTasks } from "./test-support/launch.js";

describe("kill", () => {
  let h: MasterHarness;
  afterEach(() => h.stop());

  it("sends killTask to the agent of a known task, with the call's kill policy", async () => {
    const s = await withLaunchedTasks(["t1"]);
    h = s.h;
    await s.fw.call({ type: "kill", taskId: "t1" as TaskId, killPolicy: { gracePeriodSeconds: 3 } });
    const kill = await s.agent.commands.take((c) => c.type === "killTask", "killTask");
    expect(kill).toMatchObject({ frameworkId: s.fw.id, taskId: "t1", killPolicy: { gracePeriodSeconds: 3 } });
  });

  it("answers a kill of an unknown task with TASK_LOST and no uuid", async () => {
    const s = await withLaunchedTasks(["t1"]);
    h = s.h;
    await s.fw.call({ type: "kill", taskId: "nope" as TaskId });
    const status = await s.fw.update("nope", "TASK_LOST");
    expect(status).toMatchObject({ source: "SOURCE_MASTER", reason: "REASON_TASK_UNKNOWN" });
    expect(status.uuid).toBeUndefined();
    expect(s.agent.commands.pending((c) => c.type === "killTask")).toEqual([]);
  });
});

describe("reconcile", () => {
  let h: MasterHarness;
  afterEach(() => h.stop());

  it("implicitly answers every task the master holds, with REASON_RECONCILIATION", async () => {
    const s = await withLaunchedTasks(["a", "b"]);
    h = s.h;
    s.agent.update(s.fw.id, "a", "TASK_RUNNING");
    await s.fw.update("a", "TASK_RUNNING");
    await s.fw.call({ type: "reconcile", tasks: [] });
    const a = await s.fw.update("a");
    const b = await s.fw.update("b");
    expect(a).toMatchObject({
      state: "TASK_RUNNING",
      reason: "REASON_RECONCILIATION",
      source: "SOURCE_MASTER",
      agentId: s.agent.id,
    });
    expect(a.uuid).toBeUndefined();
    expect(b).toMatchObject({ state: "TASK_STAGING", reason: "REASON_RECONCILIATION" });
  });

  it("explicitly answers known, gone and unknown tasks from the master's view", async () => {
    const s = await withLaunchedTasks(["a"]);
    h = s.h;
    await s.fw.call({
      type: "reconcile",
      tasks: [
        { taskId: "a" as TaskId },
        { taskId: "ghost" as TaskId, agentId: s.agent.id },
        { taskId: "lost" as TaskId, agentId: "unknown-agent" as AgentId },
        { taskId: "nowhere" as TaskId },
      ],
    });
    expect((await s.fw.update("a")).state).toBe("TASK_STAGING");
    expect(await s.fw.update("ghost")).toMatchObject({ state: "TASK_GONE", reason: "REASON_RECONCILIATION" });
    expect((await s.fw.update("lost")).state).toBe("TASK_UNKNOWN");
    expect((await s.fw.update("nowhere")).state).toBe("TASK_UNKNOWN");
  });
});

describe("teardown", () => {
  let h: MasterHarness;
  afterEach(() => h.stop());

  it("shuts the framework down on its agents, frees its resources and moves it to completed", async () => {
    const s = await withLaunchedTasks(["a"]);
    h = s.h;
    await s.fw.call({ type: "teardown" });
    expect(await s.agent.commands.take((c) => c.type === "shutdownFramework", "shutdown")).toMatchObject({
      frameworkId: s.fw.id,
    });
    const view = h.master.snapshot();
    expect(view.frameworks.has(s.fw.id)).toBe(false);
    expect(view.completedFrameworks.map((f) => f.id)).toEqual([s.fw.id]);
    expect(view.completedFrameworks[0]!.completedTasks.values().map((t) => t.state)).toEqual(["TASK_KILLED"]);
    expect(view.agents.get(s.agent.id)!.resources.used).toEqual([]);
    expect(await h.store.get(`frameworks.${s.fw.id}`)).toBeUndefined();
    expect(await s.fw.call({ type: "heartbeat" })).toMatchObject({
      ok: false,
      error: { code: "UNKNOWN_FRAMEWORK" },
    });
    const again = await h.request({ type: "subscribe", frameworkInfo: { name: "back", id: s.fw.id } });
    expect(again).toMatchObject({ ok: false, error: { code: "FRAMEWORK_REMOVED" } });
  });

  it("tells the agents of its finished tasks too, so they retire the framework", async () => {
    const s = await withLaunchedTasks(["done"]);
    h = s.h;
    s.agent.update(s.fw.id, "done", "TASK_FINISHED");
    expect((await s.fw.update("done", "TASK_FINISHED")).state).toBe("TASK_FINISHED");
    await s.fw.call({ type: "teardown" });
    expect(await s.agent.commands.take((c) => c.type === "shutdownFramework", "shutdown")).toMatchObject({
      frameworkId: s.fw.id,
    });
  });
});
