import type { AgentId, FrameworkId, TaskId } from "@agora/protocol";
import { describe, expect, it } from "vitest";
import { EMPTY_MAINTENANCE } from "../maintenance/schedule.js";
import { agentInfo } from "../test-support/agent-info.js";
import { MasterState } from "./master-state.js";

const frameworkInfo = (id: string) => ({
  id: id as FrameworkId,
  name: id,
  user: "root",
  roles: ["*"],
  failoverTimeout: 0,
  checkpoint: false,
  capabilities: [],
});

const status = (taskId: string, state: "TASK_STAGING" | "TASK_RUNNING" | "TASK_FINISHED") => ({
  taskId: taskId as TaskId,
  state,
  source: "SOURCE_MASTER" as const,
  timestamp: 1,
  uuid: crypto.randomUUID(),
});

/** The registry's marks, the event log's only view of what changed between two looks. */
describe("the registry's change feed", () => {
  it("marks agents, tasks, offers, roles' settings and maintenance wherever they are written", () => {
    const state = new MasterState({ maxCompletedFrameworks: 1, maxCompletedTasksPerFramework: 1 });
    const watch = state.changes.watch();
    const agent = state.addAgent(agentInfo("a1"), 0);
    const fw = state.addFramework(frameworkInfo("f1"), 0, true);
    const t1 = state.addTask(
      fw,
      { taskId: "t1", name: "t1", agentId: agent.id, resources: [] } as never,
      status("t1", "TASK_STAGING"),
    );
    state.weights.set("web", 2);
    state.maintenance = EMPTY_MAINTENANCE;
    let changes = watch.take();
    expect([...changes.agents]).toEqual(["a1"]);
    expect([...changes.tasks]).toEqual([t1]);
    expect(changes.roles && changes.maintenance).toBe(true);

    // Taken changes are gone; a task pushed out of its framework's completed ring is marked forgotten.
    state.applyStatus(t1, status("t1", "TASK_FINISHED"));
    const t2 = state.addTask(
      fw,
      { taskId: "t2", name: "t2", agentId: agent.id, resources: [] } as never,
      status("t2", "TASK_FINISHED"),
    );
    state.unreachableAgents.set("a2" as AgentId, { info: agentInfo("a2"), unreachableAt: 1 });
    changes = watch.take();
    expect([...changes.tasks]).toEqual([t1, t2]);
    expect([...changes.forgottenTasks]).toEqual([t1]);
    expect([...changes.agents]).toEqual(["a2"]);
    expect(changes.roles || changes.maintenance).toBe(false);
  });

  it("keeps nothing for a watcher that closed, and gives every open watcher every change", () => {
    const state = new MasterState({ maxCompletedFrameworks: 1, maxCompletedTasksPerFramework: 1 });
    const closed = state.changes.watch();
    const open = state.changes.watch();
    closed.close();
    state.addAgent(agentInfo("a1"), 0);
    state.quotas.delete("none"); // not there: no change
    expect([...open.take().agents]).toEqual(["a1"]);
    expect(closed.take().agents.size).toBe(0);
    expect(open.take().roles).toBe(false);
  });
});
