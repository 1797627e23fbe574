import { type AgentId, type FrameworkId, parseResources, type Resource, scalarOf } from "@agora/protocol";
import { describe, expect, it } from "vitest";
import { type AllocatorFramework, DrfAllocator, type OfferPlan } from "./drf-allocator.js";
import type { RoleQuota } from "./quota.js";

const r = parseResources;
const agent = (id: string, total: string, available = total) => ({
  id: id as AgentId,
  total: r(total),
  available: r(available),
});
const framework = (id: string, role: string, allocated: Resource[] = []): AllocatorFramework => ({
  id: id as FrameworkId,
  roles: [role],
  suppressedRoles: new Set(),
  allocated: new Map([[role, allocated]]),
});
const quota = (guarantee: Record<string, number>, limit: Record<string, number> = {}): RoleQuota => ({
  guarantee: new Map(Object.entries(guarantee)),
  limit: new Map(Object.entries(limit)),
});
const cpusOf = (plans: OfferPlan[], frameworkId: string) =>
  plans
    .filter((p) => p.frameworkId === frameworkId)
    .reduce((sum, p) => sum + scalarOf(p.resources, "cpus"), 0);

describe("DrfAllocator with quota", () => {
  const allocator = new DrfAllocator();

  it("meets a guarantee before fair share, even against a framework with a lower share", () => {
    const plans = allocator.allocate({
      now: 0,
      agents: [agent("a1", "cpus:4;mem:4096"), agent("a2", "cpus:4;mem:4096")],
      frameworks: [framework("greedy", "a"), framework("owed", "b", r("cpus:1;mem:512"))],
      quotas: new Map([["b", quota({ cpus: 6 })]]),
    });
    // b held 1 cpu and is guaranteed 6: it gets 5 more; a gets only what is left.
    expect(cpusOf(plans, "owed")).toBe(5);
    expect(cpusOf(plans, "greedy")).toBe(3);
  });

  it("never offers a role past its limit", () => {
    const plans = allocator.allocate({
      now: 0,
      agents: [agent("a1", "cpus:8;mem:8192")],
      frameworks: [framework("limited", "a"), framework("other", "b", r("cpus:4"))],
      quotas: new Map([["a", quota({}, { cpus: 3 })]]),
    });
    expect(cpusOf(plans, "limited")).toBe(3);
    expect(cpusOf(plans, "other")).toBe(5);
  });

  it("holds back headroom for a guarantee whose role has no framework yet", () => {
    const plans = allocator.allocate({
      now: 0,
      agents: [agent("a1", "cpus:4;mem:4096"), agent("a2", "cpus:4;mem:4096")],
      frameworks: [framework("greedy", "a")],
      quotas: new Map([["absent", quota({ cpus: 3 })]]),
    });
    expect(cpusOf(plans, "greedy")).toBe(5);
  });

  it("counts reservations against the limit, used or not", () => {
    const plans = allocator.allocate({
      now: 0,
      agents: [agent("a1", "cpus(a):2;cpus:6;mem:4096")],
      frameworks: [framework("limited", "a"), framework("other", "b")],
      quotas: new Map([["a", quota({}, { cpus: 3 })]]),
    });
    expect(cpusOf(plans, "limited")).toBe(3);
    expect(cpusOf(plans, "other")).toBe(5);
  });

  it("applies a parent's limit to its children", () => {
    const plans = allocator.allocate({
      now: 0,
      agents: [agent("a1", "cpus:8;mem:8192")],
      frameworks: [framework("web", "eng/web"), framework("other", "ops", r("cpus:8"))],
      quotas: new Map([["eng", quota({}, { cpus: 2 })]]),
    });
    expect(cpusOf(plans, "web")).toBe(2);
  });
});
