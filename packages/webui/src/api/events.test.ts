import { describe, expect, it } from "vitest";
import { applyTaskEvent } from "./events";
import { type ClusterEvent, MasterState } from "./schemas";

const res = { cpus: 1, mem: 32, disk: 0, gpus: 0 };
const task = (id: string, state: string, timestamp: number) => ({
  id,
  name: id,
  framework_id: "f1",
  slave_id: "a1",
  state,
  resources: res,
  statuses: [{ state, timestamp }],
});
const state = MasterState.parse({
  version: "0.1.0",
  id: "m",
  hostname: "h",
  start_time: 1,
  activated_slaves: 1,
  deactivated_slaves: 0,
  unreachable_slaves: 0,
  slaves: [],
  frameworks: [
    {
      id: "f1",
      name: "fw",
      active: true,
      connected: true,
      role: "*",
      registered_time: 1,
      used_resources: res,
      offered_resources: res,
      tasks: [task("t1", "TASK_RUNNING", 10)],
      completed_tasks: [],
    },
  ],
});
const event = (data: unknown): ClusterEvent => ({
  id: "x-1",
  at: 0,
  kind: "task",
  op: "updated",
  key: "f1/t1",
  data,
});

describe("applyTaskEvent", () => {
  it("moves a task that ended to completed_tasks, and adds a new one", () => {
    const next = applyTaskEvent(state, event(task("t1", "TASK_FINISHED", 20)))!;
    expect(next.frameworks[0]!.tasks).toEqual([]);
    expect(next.frameworks[0]!.completed_tasks.map((t) => [t.id, t.state])).toEqual([
      ["t1", "TASK_FINISHED"],
    ]);
    const added = applyTaskEvent(next, event(task("t2", "TASK_STAGING", 21)))!;
    expect(added.frameworks[0]!.tasks.map((t) => t.id)).toEqual(["t2"]);
    expect(state.frameworks[0]!.tasks).toHaveLength(1); // the input is not mutated
  });

  it("drops an event older than what the cache holds, and asks for a refetch for an unknown framework", () => {
    expect(applyTaskEvent(state, event(task("t1", "TASK_STAGING", 5)))).toBe(state);
    expect(
      applyTaskEvent(state, event({ ...task("t9", "TASK_RUNNING", 30), framework_id: "nope" })),
    ).toBeUndefined();
  });
});
