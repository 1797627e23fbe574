import { type AgentId, type FrameworkId, parseResources, type Resource } from "@agora/protocol";
import { describe, expect, it } from "vitest";
import { refuseDurationMs } from "./decline-filter.js";
import { type AllocatorFramework, DrfAllocator } from "./drf-allocator.js";
import { DeclineFilterIndex } from "./filter-index.js";

const r = parseResources;
const agent = (id: string, total: string, available = total) => ({
  id: id as AgentId,
  total: r(total),
  available: r(available),
});
interface FrameworkOpts {
  role?: string;
  roles?: string[];
  suppressed?: boolean;
  allocated?: Resource[];
}
const framework = (id: string, opts: FrameworkOpts = {}): AllocatorFramework => {
  const roles = opts.roles ?? [opts.role ?? "*"];
  return {
    id: id as FrameworkId,
    roles,
    suppressedRoles: new Set(opts.suppressed ? roles : []),
    allocated: new Map([[roles[0]!, opts.allocated ?? []]]),
  };
};
const filter = (frameworkId: string, agentId: string, refused: Resource[], expiresAt: number) => {
  const index = new DeclineFilterIndex();
  index.add(frameworkId as FrameworkId, agentId as AgentId, { refused, expiresAt });
  return index;
};

describe("DrfAllocator", () => {
  const allocator = new DrfAllocator();

  it("offers to the only unfiltered framework when the filtered one is suppressed, without a word per possible slot", () => {
    // Chronos declined (a filter on a1) and suppressed; Marathon has no filter: no member has a slot.
    const before = process.memoryUsage().arrayBuffers;
    const plans = allocator.allocate({
      now: 0,
      agents: [agent("a1", "cpus:4;mem:1024")],
      frameworks: [framework("chronos", { suppressed: true }), framework("marathon")],
      filters: filter("chronos", "a1", r("cpus:4;mem:1024"), 120_000),
    });
    expect(plans.map((p) => p.frameworkId)).toEqual(["marathon"]);
    // The bit set of filtered members was sized from slot −1 (2^27 words, 512 MB) and walked whole.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 * 1024);
  });

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
    const frameworks = [framework("f1"), framework("f2", { allocated: r("cpus:3") })];
    const filters = filter("f1", "a1", r("cpus:4;mem:1024"), 1000);
    const agents = [agent("a1", "cpus:4;mem:1024")];
    const at = (now: number) =>
      allocator.allocate({ now, agents, frameworks, filters }).map((p) => p.frameworkId);
    expect(at(999)).toEqual(["f2"]);
    expect(at(1000)).toEqual(["f1"]);
    expect(filters.size).toBe(0);
  });

  it("offers despite a filter when more resources became available than were refused", () => {
    const plans = allocator.allocate({
      now: 0,
      agents: [agent("a1", "cpus:4;mem:1024")],
      frameworks: [framework("f1")],
      filters: filter("f1", "a1", r("cpus:1;mem:256"), 5000),
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

  it("ranks roles by weighted share before frameworks inside them", () => {
    const plans = allocator.allocate({
      now: 0,
      agents: [agent("a1", "cpus:4;mem:1024")],
      frameworks: [
        framework("light", { role: "a", allocated: r("cpus:10") }),
        framework("heavy", { role: "b", allocated: r("cpus:20") }),
      ],
      weights: new Map([["b", 3]]),
    });
    expect(plans.map((p) => [p.frameworkId, p.role])).toEqual([["heavy", "b"]]);
  });

  it("offers a multi-role framework for the role that is furthest behind, and skips suppressed roles", () => {
    const frameworks = [
      framework("multi", { roles: ["a", "b"] }),
      framework("other", { role: "a", allocated: r("cpus:1") }),
    ];
    const agents = [agent("a1", "cpus:4;mem:1024"), agent("a2", "cpus:4;mem:1024")];
    expect(allocator.allocate({ now: 0, agents, frameworks }).map((p) => [p.frameworkId, p.role])).toEqual([
      ["multi", "b"],
      // Inside role a, only what multi holds for a counts: nothing, so it is ahead of other.
      ["multi", "a"],
    ]);
    const suppressed = { ...frameworks[0]!, suppressedRoles: new Set(["b"]) };
    expect(
      allocator.allocate({ now: 0, agents: agents.slice(0, 1), frameworks: [suppressed] }).map((p) => p.role),
    ).toEqual(["a"]);
  });

  it("finds the one framework that has not declined an agent among many that have", () => {
    const filters = new DeclineFilterIndex();
    const frameworks = Array.from({ length: 100 }, (_, i) => framework(`f${String(i).padStart(3, "0")}`));
    for (const f of frameworks) {
      if (f.id !== "f077")
        filters.add(f.id, "a1" as AgentId, { refused: r("cpus:4;mem:1024"), expiresAt: 10 });
    }
    const plans = allocator.allocate({
      now: 0,
      agents: [agent("a1", "cpus:4;mem:1024")],
      frameworks,
      filters,
    });
    expect(plans.map((p) => p.frameworkId)).toEqual(["f077"]);
    expect(
      allocator.allocate({
        now: 0,
        agents: [agent("a1", "cpus:4;mem:1024")],
        frameworks: frameworks.filter((f) => f.id !== "f077"),
        filters,
      }),
    ).toEqual([]);
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
