import { type AgentId, type FrameworkId, parseResources, type Resource } from "@agora/protocol";
import { describe, expect, it } from "vitest";
import type { DeclineFilter } from "./decline-filter.js";
import { refuseDurationMs } from "./decline-filter.js";
import { type AllocatorFramework, DrfAllocator } from "./drf-allocator.js";

const r = parseResources;
const agent = (id: string, total: string, available = total) => ({
  id: id as AgentId,
  total: r(total),
  available: r(available),
});
const framework = (id: string, opts: Partial<Omit<AllocatorFramework, "id">> = {}): AllocatorFramework => ({
  id: id as FrameworkId,
  role: "*",
  suppressed: false,
  allocated: [],
  filters: new Map(),
  ...opts,
});
const filter = (agentId: string, refused: Resource[], expiresAt: number) =>
  new Map<AgentId, DeclineFilter[]>([[agentId as AgentId, [{ refused, expiresAt }]]]);

describe("DrfAllocator", () => {
  const allocator = new DrfAllocator();

  it("gives each agent whole to the framework with the lowest dominant share", () => {
    const plans = allocator.allocate({
      now: 0,
      agents: [agent("a1", "cpus:4;mem:4096")],
      frameworks: [framework("f1", { allocated: r("cpus:2") }), framework("f2")],
    });
    expect(plans).toEqual([{ frameworkId: "f2", agentId: "a1", role: "*", resources: r("cpus:4;mem:4096") }]);
  });

  it("spreads agents across frameworks as their shares grow", () => {
    const plans = allocator.allocate({
      now: 0,
      agents: [
        agent("a1", "cpus:4;mem:1024"),
        agent("a2", "cpus:4;mem:1024"),
        agent("a3", "cpus:4;mem:1024"),
      ],
      frameworks: [framework("f1"), framework("f2")],
    });
    expect(plans.map((p) => [p.agentId, p.frameworkId])).toEqual([
      ["a1", "f1"],
      ["a2", "f2"],
      ["a3", "f1"],
    ]);
  });

  it("skips suppressed frameworks", () => {
    const plans = allocator.allocate({
      now: 0,
      agents: [agent("a1", "cpus:4;mem:1024")],
      frameworks: [framework("f1", { suppressed: true })],
    });
    expect(plans).toEqual([]);
  });

  it("skips a framework whose live filter covers the agent's resources, until it expires", () => {
    const frameworks = [
      framework("f1", { filters: filter("a1", r("cpus:4;mem:1024"), 1000) }),
      framework("f2", { allocated: r("cpus:3") }),
    ];
    const agents = [agent("a1", "cpus:4;mem:1024")];
    expect(allocator.allocate({ now: 999, agents, frameworks }).map((p) => p.frameworkId)).toEqual(["f2"]);
    expect(allocator.allocate({ now: 1000, agents, frameworks }).map((p) => p.frameworkId)).toEqual(["f1"]);
  });

  it("offers despite a filter when more resources became available than were refused", () => {
    const plans = allocator.allocate({
      now: 0,
      agents: [agent("a1", "cpus:4;mem:1024")],
      frameworks: [framework("f1", { filters: filter("a1", r("cpus:1;mem:256"), 5000) })],
    });
    expect(plans.map((p) => p.frameworkId)).toEqual(["f1"]);
  });

  it("does not offer leftovers below the minimum allocatable resources", () => {
    const plans = allocator.allocate({
      now: 0,
      agents: [
        agent("a1", "cpus:4;mem:4096", "cpus:0.005;mem:31;disk:100"),
        agent("a2", "cpus:4;mem:4096", "cpus:0.01"),
      ],
      frameworks: [framework("f1")],
    });
    expect(plans.map((p) => p.agentId)).toEqual(["a2"]);
  });

  it("offers reserved resources only to their role, and the rest to anyone", () => {
    const plans = allocator.allocate({
      now: 0,
      agents: [agent("a1", "cpus(eng):2;mem(eng):512;cpus:2;mem:512")],
      frameworks: [
        framework("f1", { role: "ads" }),
        framework("f2", { role: "eng", allocated: r("cpus:1") }),
      ],
    });
    expect(plans).toEqual([
      { frameworkId: "f1", agentId: "a1", role: "ads", resources: r("cpus:2;mem:512") },
      { frameworkId: "f2", agentId: "a1", role: "eng", resources: r("cpus(eng):2;mem(eng):512") },
    ]);
  });

  it("makes no offers without frameworks", () => {
    expect(allocator.allocate({ now: 0, agents: [agent("a1", "cpus:1;mem:64")], frameworks: [] })).toEqual(
      [],
    );
  });
});

describe("refuseDurationMs", () => {
  it("defaults to 5 s, treats negative as the default, caps at 365 days, and 0 means no filter", () => {
    expect(refuseDurationMs(undefined, 1000)).toBe(5000);
    expect(refuseDurationMs(-3, 1000)).toBe(5000);
    expect(refuseDurationMs(10 * 365 * 86400, 1000)).toBe(365 * 86400 * 1000);
    expect(refuseDurationMs(0, 1000)).toBe(0);
    expect(refuseDurationMs(0.1, 1000)).toBe(1000);
  });
});
