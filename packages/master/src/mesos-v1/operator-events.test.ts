import { describe, expect, it, onTestFinished } from "vitest";
import { settle, waitFor } from "../test-support/harness.js";
import { withLaunchedTasks } from "../test-support/launch.js";
import { operatorEvents, operatorSubscribed, watchOf } from "./operator-events.js";

describe("operator SUBSCRIBE events", () => {
  it("tell only what changed since the last look: new statuses, frameworks removed and added", async () => {
    const { h, agent, fw } = await withLaunchedTasks(["t1"]);
    onTestFinished(() => h.stop());
    const first = h.master.snapshot();
    const subscribed = operatorSubscribed(first) as {
      subscribed: { get_state: { get_tasks: { tasks: unknown[] } } };
    };
    expect(subscribed.subscribed.get_state.get_tasks.tasks).toHaveLength(1);
    let watch = watchOf(first);
    expect(operatorEvents(watch, h.master.snapshot()).events).toEqual([]);

    agent.update(fw.id, "t1", "TASK_RUNNING");
    await fw.update("t1", "TASK_RUNNING");
    let step = operatorEvents(watch, h.master.snapshot());
    expect(step.events).toEqual([
      {
        type: "TASK_UPDATED",
        task_updated: {
          framework_id: { value: fw.id },
          status: expect.objectContaining({ task_id: { value: "t1" }, state: "TASK_RUNNING" }),
          state: "TASK_RUNNING",
        },
      },
    ]);
    watch = step.next;
    expect(operatorEvents(watch, h.master.snapshot()).events).toEqual([]);

    agent.update(fw.id, "t1", "TASK_FINISHED");
    await fw.update("t1", "TASK_FINISHED");
    await fw.call({ type: "teardown" });
    await settle();
    step = operatorEvents(watch, h.master.snapshot());
    expect(step.events.map((e) => e.type)).toEqual(["FRAMEWORK_REMOVED", "TASK_UPDATED"]);
    watch = step.next;

    const fresh = await h.framework({ name: "second" });
    await waitFor(() => h.master.snapshot().frameworks.has(fresh.id), "the second framework");
    step = operatorEvents(watch, h.master.snapshot());
    expect(step.events).toContainEqual({
      type: "FRAMEWORK_ADDED",
      framework_added: {
        framework: expect.objectContaining({ framework_info: expect.objectContaining({ name: "second" }) }),
      },
    });
  });

  it("report agents added and tasks added with every status they have", async () => {
    const { h } = await withLaunchedTasks(["t1", "t2"]);
    onTestFinished(() => h.stop());
    const step = operatorEvents(
      { tasks: new Map(), agents: new Set(), frameworks: new Map() },
      h.master.snapshot(),
    );
    const types = step.events.map((e) => e.type);
    expect(types.filter((t) => t === "AGENT_ADDED")).toHaveLength(1);
    expect(types.filter((t) => t === "FRAMEWORK_ADDED")).toHaveLength(1);
    expect(types.filter((t) => t === "TASK_ADDED")).toHaveLength(2);
    expect(types.filter((t) => t === "TASK_UPDATED")).toHaveLength(2); // each task's STAGING
  });
});
