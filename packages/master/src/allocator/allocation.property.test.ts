import {
  type AgentId,
  add,
  contains,
  equals,
  type FrameworkId,
  parseResources,
  type Resource,
  scalarOf,
} from "@agora/protocol";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ResourceLedger } from "../registry/resource-ledger.js";
import { DrfAllocator } from "./drf-allocator.js";

interface Offer {
  readonly agentId: AgentId;
  readonly frameworkId: FrameworkId;
  readonly resources: Resource[];
}

interface Task {
  readonly agentId: AgentId;
  readonly frameworkId: FrameworkId;
  readonly resources: Resource[];
}

const op = fc.oneof(
  fc.constant({ kind: "allocate" as const }),
  fc.record({
    kind: fc.constant("accept" as const),
    pick: fc.nat(),
    cpus: fc.integer({ min: 1, max: 4 }),
    mem: fc.integer({ min: 0, max: 2048 }),
  }),
  fc.record({ kind: fc.constant("decline" as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant("finish" as const), pick: fc.nat() }),
);

/**
 * Drives the allocator and the resource books the way the master does (offers book resources,
 * accepts turn part of an offer into a task, declines and finished tasks return them) and checks
 * after every step that nothing is lost or offered twice.
 */
describe("allocation bookkeeping", () => {
  it("keeps offered + used + available = total and never offers a resource twice", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ cpus: fc.integer({ min: 1, max: 8 }), mem: fc.integer({ min: 64, max: 8192 }) }),
          { minLength: 1, maxLength: 5 },
        ),
        fc.integer({ min: 1, max: 4 }),
        fc.array(op, { maxLength: 60 }),
        (agentSizes, frameworkCount, ops) => {
          const allocator = new DrfAllocator();
          const agents = new Map<AgentId, ResourceLedger>(
            agentSizes.map((s, i) => [
              `a${i}` as AgentId,
              new ResourceLedger(parseResources(`cpus:${s.cpus};mem:${s.mem};ports:[31000-31010]`)),
            ]),
          );
          const frameworks = Array.from({ length: frameworkCount }, (_, i) => `f${i}` as FrameworkId);
          const offers: Offer[] = [];
          const tasks: Task[] = [];

          for (const o of ops) {
            if (o.kind === "allocate") {
              const plans = allocator.allocate({
                now: 0,
                agents: [...agents].map(([id, l]) => ({ id, total: l.total, available: l.available })),
                frameworks: frameworks.map((id) => ({
                  id,
                  roles: ["*"],
                  suppressedRoles: new Set(),
                  allocated: new Map([
                    [
                      "*",
                      [...offers, ...tasks].filter((x) => x.frameworkId === id).flatMap((x) => x.resources),
                    ],
                  ]),
                })),
              });
              for (const p of plans) {
                const ledger = agents.get(p.agentId)!;
                // The whole point: a plan only ever hands out what is still available.
                expect(contains(ledger.available, p.resources)).toBe(true);
                ledger.offer(p.resources);
                offers.push(p);
              }
            } else if (o.kind === "accept" && offers.length > 0) {
              const [offer] = offers.splice(o.pick % offers.length, 1);
              const ledger = agents.get(offer!.agentId)!;
              ledger.unoffer(offer!.resources);
              const want = parseResources(`cpus:${o.cpus};mem:${o.mem}`);
              if (contains(offer!.resources, want)) {
                ledger.use(want);
                tasks.push({ agentId: offer!.agentId, frameworkId: offer!.frameworkId, resources: want });
              }
            } else if (o.kind === "decline" && offers.length > 0) {
              const [offer] = offers.splice(o.pick % offers.length, 1);
              agents.get(offer!.agentId)!.unoffer(offer!.resources);
            } else if (o.kind === "finish" && tasks.length > 0) {
              const [t] = tasks.splice(o.pick % tasks.length, 1);
              agents.get(t!.agentId)!.release(t!.resources);
            }

            for (const [id, l] of agents) {
              expect(equals(add(add(l.offered, l.used), l.available), l.total)).toBe(true);
              const outstanding = offers.filter((x) => x.agentId === id).flatMap((x) => x.resources);
              expect(equals(l.offered, outstanding)).toBe(true);
              expect(scalarOf(l.available, "cpus")).toBeGreaterThanOrEqual(0);
            }
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
