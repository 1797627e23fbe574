import {
  type AgentId,
  type FrameworkId,
  FrameworkInfo,
  Offer,
  parseResources,
  TaskInfo,
  TaskStatus,
} from "@agora/protocol";
import { describe, expect, it } from "vitest";
import { cycleSnapshot } from "./allocation.js";
import { MasterState } from "./registry/master-state.js";
import { agentInfo } from "./test-support/agent-info.js";

/** What an event's cycle must see of the cluster, summed over every agent's ledger as a full cycle would. */
function summedOverAgents(state: MasterState) {
  const reserved = new Map<string, number>();
  const unreservedAvailable = new Map<string, number>();
  const add = (m: Map<string, number>, key: string, n: number) =>
    m.set(key, Math.round(((m.get(key) ?? 0) + n) * 1000) / 1000);
  for (const a of state.agents.values()) {
    for (const r of a.resources.total)
      if (r.reservation && "scalar" in r) add(reserved, `${r.reservation.role}/${r.name}`, r.scalar);
    for (const r of a.resources.available)
      if (!r.reservation && "scalar" in r) add(unreservedAvailable, r.name, r.scalar);
  }
  return { reserved, unreservedAvailable };
}

/**
 * With quotas set, a cycle over one agent takes the cluster's reservations and unreserved pool from
 * sums the books keep (no pass over 10,000 agents); they must equal the sums over every agent.
 */
describe("an event cycle's view of the cluster under quota", () => {
  it("matches the sums over every agent as offers, tasks and agents come and go", () => {
    const state = new MasterState({ maxCompletedFrameworks: 1, maxCompletedTasksPerFramework: 10 });
    state.quotas.set("eng", { role: "eng", guarantee: parseResources("cpus:4"), limit: [] });
    for (let i = 0; i < 4; i++) state.addAgent(agentInfo(`a${i}`, "cpus:8;mem:4096;cpus(eng):2;disk:100"), 0);
    const info = FrameworkInfo.parse({ name: "f", roles: ["eng"] });
    const framework = state.addFramework({ ...info, id: "f" as FrameworkId }, 0, true);
    state.addOffer(
      Offer.parse({
        id: "o1",
        frameworkId: "f",
        agentId: "a1",
        hostname: "a1.test",
        role: "eng",
        resources: parseResources("cpus:2.5;mem:512;cpus(eng):1"),
        attributes: [],
      }),
      0,
    );
    const task = state.addTask(
      framework,
      TaskInfo.parse({
        taskId: "t1",
        name: "t1",
        agentId: "a2",
        resources: parseResources("cpus:1.25;mem:256"),
        command: { value: "true" },
      }),
      TaskStatus.parse({ taskId: "t1", state: "TASK_RUNNING", source: "SOURCE_AGENT", timestamp: 0 }),
    );
    state.removeAgent(state.agents.get("a3" as AgentId)!);

    const view = () => {
      const cluster = cycleSnapshot(state, 0, 1, new Set(["a0" as AgentId])).cluster!;
      const reserved = new Map<string, number>();
      for (const r of cluster.reserved)
        if ("scalar" in r) reserved.set(`${r.reservation!.role}/${r.name}`, r.scalar);
      return { reserved, unreservedAvailable: new Map(cluster.unreservedAvailable) };
    };
    expect(view()).toEqual(summedOverAgents(state));

    state.applyStatus(
      task,
      TaskStatus.parse({ taskId: "t1", state: "TASK_FINISHED", source: "SOURCE_AGENT", timestamp: 1 }),
    );
    state.removeOffer([...state.offers.keys()][0]!);
    expect(view()).toEqual(summedOverAgents(state));
  });
});
