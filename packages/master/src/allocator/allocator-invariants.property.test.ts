import {
  type AgentId,
  add,
  contains,
  equals,
  type FrameworkId,
  isWithinRole,
  parseResources,
  type Resource,
  scalarOf,
} from "@agora/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ResourceLedger } from "../registry/resource-ledger.js";
import { type AllocatorFramework, DrfAllocator, type OfferPlan } from "./drf-allocator.js";
import { DeclineFilterIndex } from "./filter-index.js";
import type { RoleQuota } from "./quota.js";

const ROLES = ["a", "a/x", "b", "c"] as const;
const EPS = 1e-6;

interface Held {
  readonly agentId: AgentId;
  readonly frameworkId: FrameworkId;
  readonly role: string;
  readonly resources: Resource[];
}

const cluster = fc.record({
  agents: fc.array(
    fc.record({
      cpus: fc.integer({ min: 1, max: 8 }),
      mem: fc.integer({ min: 256, max: 8192 }),
      reservedFor: fc.option(fc.constantFrom(...ROLES), { nil: undefined }),
      reservedCpus: fc.integer({ min: 1, max: 2 }),
    }),
    { minLength: 1, maxLength: 6 },
  ),
  frameworks: fc.array(fc.subarray([...ROLES], { minLength: 1, maxLength: 2 }), {
    minLength: 1,
    maxLength: 5,
  }),
  quotas: fc.array(
    fc.record({
      role: fc.constantFrom(...ROLES),
      guarantee: fc.integer({ min: 0, max: 6 }),
      extraLimit: fc.option(fc.integer({ min: 0, max: 6 }), { nil: undefined }),
    }),
    { maxLength: 3 },
  ),
  weights: fc.array(fc.tuple(fc.constantFrom(...ROLES), fc.integer({ min: 1, max: 4 })), { maxLength: 3 }),
});

const step = fc.oneof(
  fc.constant({ kind: "allocate" as const }),
  fc.record({ kind: fc.constant("accept" as const), pick: fc.nat(), cpus: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant("decline" as const), pick: fc.nat(), filter: fc.boolean() }),
  fc.record({ kind: fc.constant("finish" as const), pick: fc.nat() }),
);

/** What a quota role consumes: reservations in its subtree plus unreserved scalars held in it. */
function consumption(
  quotaRole: string,
  agents: Map<AgentId, ResourceLedger>,
  held: readonly Held[],
  name: string,
) {
  let sum = 0;
  for (const l of agents.values())
    for (const r of l.total)
      if (r.reservation && isWithinRole(r.reservation.role, quotaRole) && r.name === name && "scalar" in r)
        sum += r.scalar;
  for (const h of held)
    if (isWithinRole(h.role, quotaRole))
      for (const r of h.resources) if (!r.reservation && r.name === name && "scalar" in r) sum += r.scalar;
  return sum;
}

describe("allocator invariants over random clusters and call sequences", () => {
  it("conserves resources, keeps reservations in their role, and never passes a quota limit", () => {
    fc.assert(
      fc.property(cluster, fc.array(step, { maxLength: 40 }), (c, steps) => {
        const allocator = new DrfAllocator();
        const filters = new DeclineFilterIndex();
        const agents = new Map<AgentId, ResourceLedger>(
          c.agents.map((a, i) => {
            const reserved = a.reservedFor ? `;cpus(${a.reservedFor}):${a.reservedCpus}` : "";
            return [
              `a${i}` as AgentId,
              new ResourceLedger(parseResources(`cpus:${a.cpus};mem:${a.mem}${reserved}`)),
            ];
          }),
        );
        const frameworks = c.frameworks.map((roles, i) => ({ id: `f${i}` as FrameworkId, roles }));
        const offers: Held[] = [];
        const tasks: Held[] = [];
        // Limits start at or above what a role's reservations already consume, as an operator must set them.
        const quotas = new Map<string, RoleQuota>();
        for (const q of c.quotas) {
          const reserved = consumption(q.role, agents, [], "cpus");
          const limit =
            q.extraLimit === undefined ? undefined : Math.max(q.guarantee, reserved + q.extraLimit);
          quotas.set(q.role, {
            guarantee: new Map(q.guarantee > 0 ? [["cpus", q.guarantee]] : []),
            limit: new Map(limit === undefined ? [] : [["cpus", limit]]),
          });
        }
        let now = 0;
        for (const s of steps) {
          now += 1000;
          if (s.kind === "allocate") {
            const plans = allocator.allocate({
              now,
              agents: [...agents].map(([id, l]) => ({ id, total: l.total, available: l.available })),
              frameworks: frameworks.map((f): AllocatorFramework => {
                const allocated = new Map<string, Resource[]>();
                for (const h of [...offers, ...tasks])
                  if (h.frameworkId === f.id)
                    allocated.set(h.role, [...(allocated.get(h.role) ?? []), ...h.resources]);
                return { id: f.id, roles: f.roles, suppressedRoles: new Set(), allocated };
              }),
              weights: new Map(c.weights),
              filters,
              quotas,
            });
            for (const p of plans) {
              const ledger = agents.get(p.agentId)!;
              expect(contains(ledger.available, p.resources)).toBe(true);
              expect(frameworks.find((f) => f.id === p.frameworkId)!.roles).toContain(p.role);
              for (const r of p.resources)
                if (r.reservation) expect(isWithinRole(p.role, r.reservation.role)).toBe(true);
              ledger.offer(p.resources);
              offers.push(p);
            }
            for (const [role, q] of quotas) {
              const limit = q.limit.get("cpus");
              if (limit !== undefined)
                expect(consumption(role, agents, [...offers, ...tasks], "cpus")).toBeLessThanOrEqual(
                  limit + EPS,
                );
            }
          } else if (s.kind === "accept" && offers.length > 0) {
            const [offer] = offers.splice(s.pick % offers.length, 1);
            const ledger = agents.get(offer!.agentId)!;
            ledger.unoffer(offer!.resources);
            const want = parseResources(`cpus:${s.cpus};mem:64`);
            if (contains(offer!.resources, want)) {
              ledger.use(want);
              tasks.push({ ...offer!, resources: want });
            }
          } else if (s.kind === "decline" && offers.length > 0) {
            const [offer] = offers.splice(s.pick % offers.length, 1);
            agents.get(offer!.agentId)!.unoffer(offer!.resources);
            if (s.filter)
              filters.add(offer!.frameworkId, offer!.agentId, {
                refused: offer!.resources,
                expiresAt: now + 2500,
              });
          } else if (s.kind === "finish" && tasks.length > 0) {
            const [t] = tasks.splice(s.pick % tasks.length, 1);
            agents.get(t!.agentId)!.release(t!.resources);
          }
          for (const [id, l] of agents) {
            expect(equals(add(add(l.offered, l.used), l.available), l.total)).toBe(true);
            const outstanding = offers.filter((x) => x.agentId === id).flatMap((x) => x.resources);
            expect(equals(l.offered, outstanding)).toBe(true);
          }
        }
      }),
      { numRuns: 200 },
    );
  });

  it("meets every guarantee in one cycle when the cluster can", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ cpus: fc.integer({ min: 1, max: 8 }), mem: fc.integer({ min: 256, max: 8192 }) }),
          {
            minLength: 1,
            maxLength: 6,
          },
        ),
        fc.array(fc.integer({ min: 0, max: 8 }), { minLength: 4, maxLength: 4 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 6 }),
        (agentSizes, guarantees, extraFrameworks) => {
          const totalCpus = agentSizes.reduce((s, a) => s + a.cpus, 0);
          // Scale the guarantees down until they fit the cluster together.
          let g = guarantees.slice();
          while (g.reduce((s, x) => s + x, 0) > totalCpus) g = g.map((x) => Math.floor(x / 2));
          const roles = ["a", "b", "c", "d"];
          const quotas = new Map<string, RoleQuota>(
            roles.map((role, i) => [role, { guarantee: new Map([["cpus", g[i]!]]), limit: new Map() }]),
          );
          // Every role has a framework; some roles hold extra greedy frameworks that already hold a lot.
          const frameworks: AllocatorFramework[] = [
            ...roles.map((role) => ({
              id: `q-${role}` as FrameworkId,
              roles: [role],
              suppressedRoles: new Set<string>(),
              allocated: new Map(),
            })),
            ...extraFrameworks.map((r, i) => ({
              id: `greedy${i}` as FrameworkId,
              roles: [`other${r}`],
              suppressedRoles: new Set<string>(),
              allocated: new Map(),
            })),
          ];
          const plans = new DrfAllocator().allocate({
            now: 0,
            agents: agentSizes.map((a, i) => {
              const total = parseResources(`cpus:${a.cpus};mem:${a.mem}`);
              return { id: `a${i}` as AgentId, total, available: total };
            }),
            frameworks,
            quotas,
          });
          roles.forEach((role, i) => {
            const got = plans
              .filter((p) => p.role === role)
              .reduce((s, p) => s + scalarOf(p.resources, "cpus"), 0);
            expect(got).toBeGreaterThanOrEqual(g[i]! - EPS);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("hands each agent to the role, then the framework, with the lowest weighted dominant share", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ cpus: fc.integer({ min: 1, max: 8 }), mem: fc.integer({ min: 256, max: 8192 }) }),
          {
            minLength: 1,
            maxLength: 8,
          },
        ),
        fc.array(
          fc.record({
            role: fc.constantFrom("a", "b", "c"),
            cpus: fc.integer({ min: 0, max: 6 }),
            mem: fc.integer({ min: 0, max: 4096 }),
          }),
          { minLength: 1, maxLength: 6 },
        ),
        fc.tuple(
          fc.integer({ min: 1, max: 4 }),
          fc.integer({ min: 1, max: 4 }),
          fc.integer({ min: 1, max: 4 }),
        ),
        (agentSizes, fws, [wa, wb, wc]) => {
          const weights = new Map([
            ["a", wa],
            ["b", wb],
            ["c", wc],
          ]);
          const agents = agentSizes.map((a, i) => {
            const total = parseResources(`cpus:${a.cpus};mem:${a.mem}`);
            return { id: `a${i}` as AgentId, total, available: total };
          });
          const totals = {
            cpus: agentSizes.reduce((s, a) => s + a.cpus, 0),
            mem: agentSizes.reduce((s, a) => s + a.mem, 0),
          };
          // Frameworks' holdings elsewhere (not part of these agents' totals) count in their shares.
          const held = new Map(fws.map((f, i) => [`f${i}`, { role: f.role, cpus: f.cpus, mem: f.mem }]));
          const share = (cpus: number, mem: number) => Math.max(cpus / totals.cpus, mem / totals.mem);
          const roleShare = (role: string) => {
            let cpus = 0;
            let mem = 0;
            for (const h of held.values())
              if (h.role === role) {
                cpus += h.cpus;
                mem += h.mem;
              }
            return share(cpus, mem) / weights.get(role)!;
          };
          const plans: OfferPlan[] = new DrfAllocator().allocate({
            now: 0,
            agents,
            frameworks: fws.map((f, i) => ({
              id: `f${i}` as FrameworkId,
              roles: [f.role],
              suppressedRoles: new Set(),
              allocated: new Map([[f.role, parseResources(`cpus:${f.cpus};mem:${f.mem}`)]]),
            })),
            weights,
          });
          for (const p of plans) {
            const activeRoles = [...new Set(fws.map((f) => f.role))];
            const best = Math.min(...activeRoles.map(roleShare));
            expect(roleShare(p.role)).toBeLessThanOrEqual(best + EPS);
            const mine = held.get(p.frameworkId)!;
            const peers = [...held.values()].filter((h) => h.role === p.role);
            expect(share(mine.cpus, mine.mem)).toBeLessThanOrEqual(
              Math.min(...peers.map((h) => share(h.cpus, h.mem))) + EPS,
            );
            mine.cpus += scalarOf(p.resources, "cpus");
            mine.mem += scalarOf(p.resources, "mem");
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
