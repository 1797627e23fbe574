import { type AgentId, type FrameworkId, parseResources } from "@agora/protocol";
import { describe, expect, it } from "vitest";
import { type AllocatorFramework, type ClusterQuantities, DrfAllocator } from "./drf-allocator.js";
import { DeclineFilterIndex } from "./filter-index.js";

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

/**
 * With quotas, the cycle over some agents holds back the headroom the cluster's unmet guarantees need
 * out of the cluster's pool (`snapshot.cluster`), not out of the agents it visits.
 */
describe("a quota cycle over some agents", () => {
  const allocator = new DrfAllocator();
  // `b` is guaranteed 10 cpus and holds none; its framework declined the one agent visited.
  const frameworks = [framework("fa", "a", ""), framework("fb", "b", "")];
  const visited = [{ id: "s9" as AgentId, total: r("cpus:4"), available: r("cpus:4") }];
  const filters = new DeclineFilterIndex();
  filters.add("fb" as FrameworkId, "s9" as AgentId, { refused: r("cpus:4"), expiresAt: 1e9 });
  const quotas = new Map([["b", { guarantee: new Map([["cpus", 10]]), limit: new Map() }]]);
  const cycle = (cluster?: ClusterQuantities) =>
    allocator
      .allocate({ now: 0, agents: visited, frameworks, filters, quotas, total: r("cpus:24"), cluster })
      .map((p) => [p.frameworkId, p.resources]);

  it("leaves `a` what the cluster's pool holds beyond the headroom", () => {
    // 12 cpus available in the cluster, 10 held back for `b`: `a` may take 2 of the agent's 4.
    expect(cycle({ reserved: [], unreservedAvailable: new Map([["cpus", 12]]) })).toEqual([
      ["fa", r("cpus:2")],
    ]);
  });

  it("counts reservations on agents it does not visit as consumed by their role's quota", () => {
    // 4 cpus reserved for `b` elsewhere: `b` lacks 6, so `a` may take all 4.
    const cluster = { reserved: r("cpus(b):4"), unreservedAvailable: new Map([["cpus", 12]]) };
    expect(cycle(cluster)).toEqual([["fa", r("cpus:4")]]);
  });

  it("would hold the headroom back from the visited agent alone without it", () => {
    expect(cycle()).toEqual([]);
  });
});
