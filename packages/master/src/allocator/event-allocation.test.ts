import { type AgentId, type FrameworkId, parseResources } from "@agora/protocol";
import { describe, expect, it } from "vitest";
import { type AllocatorFramework, DrfAllocator } from "./drf-allocator.js";

const r = parseResources;
const framework = (id: string, role: string, allocated: string): AllocatorFramework => ({
  id: id as FrameworkId,
  roles: [role],
  suppressedRoles: new Set(),
  allocated: new Map([[role, r(allocated)]]),
});

/**
 * An event-triggered cycle (Mesos' `allocate(agentIds)`) visits only the agents the event changed,
 * but ranks roles by their share of the whole cluster: the snapshot's `total`.
 */
describe("an allocation cycle over some agents", () => {
  const allocator = new DrfAllocator();
  // cpus-heavy `a` holds 4 of the cluster's 100 cpus (0.04); mem-heavy `b` 400 of its 1,000 MB (0.4).
  const frameworks = [framework("fa", "a", "cpus:4"), framework("fb", "b", "mem:400")];
  const visited = [{ id: "s9" as AgentId, total: r("cpus:8;mem:8000"), available: r("cpus:8;mem:8000") }];

  it("ranks by shares of the cluster's total when it is given", () => {
    const plans = allocator.allocate({ now: 0, agents: visited, frameworks, total: r("cpus:100;mem:1000") });
    expect(plans.map((p) => [p.frameworkId, p.agentId])).toEqual([["fa", "s9"]]);
  });

  it("would rank by the visited agents alone without it (the reason the total is passed)", () => {
    // Of the agent alone, `a` holds 4/8 cpus (0.5) and `b` 400/8000 MB (0.05): `b` would come first.
    const plans = allocator.allocate({ now: 0, agents: visited, frameworks });
    expect(plans.map((p) => [p.frameworkId, p.agentId])).toEqual([["fb", "s9"]]);
  });
});
