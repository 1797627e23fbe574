import { type AgentId, parseResources } from "@agora/protocol";
import { describe, expect, it } from "vitest";
import { agentInfo } from "../test-support/agent-info.js";
import { MasterState } from "./master-state.js";

/** The sum the books keep as agents come, change and go, against summing every agent again. */
function summed(state: MasterState): Map<string, number> {
  const total = new Map<string, number>();
  for (const a of state.agents.values())
    for (const r of a.resources.total)
      if ("scalar" in r) total.set(r.name, Math.round(((total.get(r.name) ?? 0) + r.scalar) * 1000) / 1000);
  return total;
}

describe("the cluster's total", () => {
  it("follows agents registering, changing their resources and leaving, without drift", () => {
    const state = new MasterState({ maxCompletedFrameworks: 1, maxCompletedTasksPerFramework: 1 });
    for (let i = 0; i < 100; i++)
      state.addAgent(agentInfo(`a${i}`, "cpus:0.1;mem:100.3;ports:[31000-32000]"), 0);
    expect(state.clusterTotal()).toEqual(
      new Map([
        ["cpus", 10],
        ["mem", 10030],
      ]),
    );

    const a0 = state.agents.get("a0" as AgentId)!;
    state.setAgentTotal(a0, parseResources("cpus:4;mem:100.3;gpus:1"));
    state.addAgent(agentInfo("a1", "cpus:2;mem:50"), 0); // a known id registered again replaces its entry
    expect(state.clusterTotal()).toEqual(summed(state));

    for (let i = 0; i < 100; i++) state.removeAgent(state.agents.get(`a${i}` as AgentId)!);
    expect(state.clusterTotal()).toEqual(new Map());
  });
});
