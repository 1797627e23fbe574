import type { StatusUpdate, TaskId } from "@agora/protocol";
import { describe, expect, it, onTestFinished } from "vitest";
import { withLaunchedTasks } from "./test-support/launch.js";

describe("a reregistering agent's in-flight updates", () => {
  it("are relayed when the master has not booked them, and not again when it relayed them already", async () => {
    const s = await withLaunchedTasks(["t1", "t2"]);
    onTestFinished(() => s.h.stop());
    const relayed = s.agent.update(s.fw.id, "t1", "TASK_RUNNING");
    await s.fw.update("t1", "TASK_RUNNING");
    // Produced on the agent, never received by the master (lost with a connection, say).
    const unseen: StatusUpdate = {
      frameworkId: s.fw.id,
      status: { ...relayed.status, taskId: "t2" as TaskId, uuid: crypto.randomUUID() },
    };
    const tasks = s.run.tasks.map((task) => ({
      frameworkId: s.fw.id,
      task,
      state: "TASK_RUNNING" as const,
    }));
    await s.h.reregister(s.agent.id, tasks, undefined, [relayed, unseen]);
    await s.fw.sync();

    const updates = s.fw.events.all.flatMap((e) =>
      e.type === "update" && e.status.uuid !== undefined ? [e.status.uuid] : [],
    );
    expect(updates.filter((u) => u === unseen.status.uuid)).toHaveLength(1);
    expect(updates.filter((u) => u === relayed.status.uuid)).toHaveLength(1);
  });
});
