import { type AgentId, type FrameworkId, parseResources } from "@agora/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type AllocationSnapshot, DrfAllocator } from "./drf-allocator.js";
import { DeclineFilterIndex, type OfferFilters } from "./filter-index.js";
import type { RoleQuota } from "./quota.js";

const ROLES = ["a", "a/x", "b", "c"] as const;

/** What a framework refused on an agent: all of it, or a part (so only some offers are filtered). */
const REFUSED = ["all", "cpus:1", "mem:512", "cpus:2;mem:1024"] as const;

const cluster = fc.record({
  agents: fc.array(
    fc.record({
      cpus: fc.integer({ min: 1, max: 8 }),
      mem: fc.integer({ min: 256, max: 8192 }),
      reservedFor: fc.option(fc.constantFrom(...ROLES), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 8 },
  ),
  frameworks: fc.array(fc.subarray([...ROLES], { minLength: 1, maxLength: 2 }), {
    minLength: 1,
    maxLength: 40,
  }),
  quotas: fc.array(
    fc.record({
      role: fc.constantFrom(...ROLES),
      guarantee: fc.integer({ min: 0, max: 12 }),
      limit: fc.option(fc.integer({ min: 12, max: 30 }), { nil: undefined }),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  filters: fc.array(
    fc.record({ framework: fc.nat(), agent: fc.nat(), refused: fc.constantFrom(...REFUSED) }),
    { maxLength: 200 },
  ),
});

/**
 * The quota stages skip frameworks whose filters cover a whole agent by one bit test, and rank the
 * few others directly. The reference sees filters only through the exact per-offer check (what the
 * stages did before), so both must plan the same offers.
 */
describe("a quota cycle with decline filters", () => {
  it("plans the same offers with the filter index's verdicts as with the exact check alone", () => {
    fc.assert(
      fc.property(cluster, (c) => {
        const agents = c.agents.map((a, i) => {
          const reserved = a.reservedFor ? `;cpus(${a.reservedFor}):1` : "";
          const total = parseResources(`cpus:${a.cpus};mem:${a.mem};ports:[31000-31010]${reserved}`);
          return { id: `a${i}` as AgentId, total, available: total };
        });
        const frameworks = c.frameworks.map((roles, i) => ({
          id: `f${i}` as FrameworkId,
          roles,
          suppressedRoles: new Set<string>(),
          allocated: new Map(),
        }));
        const index = new DeclineFilterIndex();
        for (const f of c.filters) {
          const agent = agents[f.agent % agents.length]!;
          const refused = f.refused === "all" ? agent.available : parseResources(f.refused);
          index.add(frameworks[f.framework % frameworks.length]!.id, agent.id, {
            refused,
            expiresAt: 10_000,
          });
        }
        const exactOnly: OfferFilters = {
          slotOf: () => undefined,
          blockedOn: () => undefined,
          isFiltered: (framework, agent, offerable, now) =>
            index.isFiltered(framework, agent, offerable, now),
        };
        const quotas = new Map<string, RoleQuota>(
          c.quotas.map((q) => [
            q.role,
            {
              guarantee: new Map(q.guarantee > 0 ? [["cpus", q.guarantee]] : []),
              limit: new Map(q.limit === undefined ? [] : [["cpus", q.limit]]),
            },
          ]),
        );
        const snapshot: AllocationSnapshot = { now: 0, seed: 7, agents, frameworks, quotas };
        const allocator = new DrfAllocator();
        const reference = allocator.allocate({ ...snapshot, filters: exactOnly });
        expect(allocator.allocate({ ...snapshot, filters: index })).toEqual(reference);
      }),
      { numRuns: 300 },
    );
  });
});
